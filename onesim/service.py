"""A running emulator: store, XML-RPC endpoint and control endpoint together."""
from .control import ControlEndpoint
from .emulator import Emulator
from .hypervisor import Hypervisor
from .seed import admin_session, initialize
from .server import Endpoint

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2633


class Onesim:
    def __init__(self, data_dir, host=DEFAULT_HOST, port=DEFAULT_PORT, seed="demo", speed=1.0,
                 control_port=0, hypervisor=Hypervisor()):
        self.emulator = Emulator(data_dir, speed, hypervisor)
        initialize(self.emulator, seed)
        self.emulator.start()
        self.endpoint = Endpoint(self.emulator, host, port)
        self.control = ControlEndpoint(self.emulator, self.endpoint, host, control_port)
        (self.emulator.data_dir / "onesim.port").write_text(f"{self.endpoint.port}\n")

    @property
    def url(self):
        return self.endpoint.url

    @property
    def admin_session(self):
        return admin_session(self.emulator.data_dir)

    def stop(self):
        self.control.stop()
        self.endpoint.stop()
        self.emulator.close()
