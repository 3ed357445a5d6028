"""Bootstrap objects (as oned creates them) and the `demo` seed."""
import secrets

from .auth import ONEADMIN_GID, USERS_GID
from .datastores import bootstrap_datastores
from .hosts import add_host, mark_monitored
from .images import IMAGE_TYPES, READY, Image
from .template import Template
from .users import BOOTSTRAP_GROUPS, create_group, create_user
from .vnets import create_vnet

ONE_AUTH_FILE = "one_auth"
DEMO_USER = ("demo", "demo")
SEEDS = ("none", "demo")
# Owner use+manage, and use for everybody: public images any user may launch.
PUBLIC_IMAGE_PERMISSIONS = [1, 1, 0, 0, 0, 0, 1, 0, 0]
DEMO_IMAGES = (
    # name, size (MB), path, description
    ("ttylinux", 40, "/var/lib/one/images/ttylinux.img", "Tiny Linux for tests"),
    ("Ubuntu 24.04", 2252, "/var/lib/one/images/ubuntu-24.04.qcow2", "Ubuntu 24.04 LTS server"),
    ("CentOS Stream 9", 10240, "/var/lib/one/images/centos-stream-9.qcow2", "CentOS Stream 9"),
)
DEMO_HOST = "localhost"
DEMO_NETWORK = ("private", "10.0.0.2", 253, "10.0.0.1", "10.0.0.1")


def bootstrap(emulator):
    """oned's first start: groups, users oneadmin and serveradmin, the three datastores.

    oneadmin's random password is written to <data-dir>/one_auth as "oneadmin:<password>".
    """
    for gid, name in BOOTSTRAP_GROUPS:
        create_group(emulator, name, gid)
    password = secrets.token_hex(16)
    create_user(emulator, "oneadmin", password, [ONEADMIN_GID])
    create_user(emulator, "serveradmin", secrets.token_hex(16), [ONEADMIN_GID], "server_cipher")
    bootstrap_datastores(emulator)
    auth_file = emulator.data_dir / ONE_AUTH_FILE
    auth_file.write_text(f"oneadmin:{password}\n")
    auth_file.chmod(0o600)


def seed_demo(emulator):
    """A ready cloud: the demo user, a monitored host, a network and public OS images."""
    name, password = DEMO_USER
    create_user(emulator, name, password, [USERS_GID])
    mark_monitored(emulator, add_host(emulator, DEMO_HOST))
    network, first_ip, size, gateway, dns = DEMO_NETWORK
    vnet = create_vnet(emulator, network, first_ip, size, gateway=gateway, dns=dns)
    vnet.permissions = PUBLIC_IMAGE_PERMISSIONS
    emulator.pool("vnet").save(vnet)
    datastore = emulator.pool("datastore").get(1)
    for image_name, size_mb, path, description in DEMO_IMAGES:
        _seed_image(emulator, datastore, image_name, size_mb, path, description)


def _seed_image(emulator, datastore, name, size_mb, path, description):
    template = Template([("DESCRIPTION", description), ("DEV_PREFIX", "vd")])
    image = Image(name, IMAGE_TYPES.index("OS"), datastore, size_mb, path=path, image_format="qcow2",
                  template=template, permissions=PUBLIC_IMAGE_PERMISSIONS)
    image.state = image.prev_state = READY
    image.transfer = None
    emulator.pool("image").add(image)
    datastore.images.append(image.id)
    emulator.pool("datastore").save(datastore)


def initialize(emulator, seed):
    """Bootstrap an empty data directory and apply `seed`; an existing one is kept as is."""
    with emulator.transaction():
        if len(emulator.pool("user")):
            return False
        bootstrap(emulator)
        if seed == "demo":
            seed_demo(emulator)
    return True


def admin_session(data_dir):
    return (data_dir / ONE_AUTH_FILE).read_text().strip()
