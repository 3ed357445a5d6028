"""`python -m onesim`: serve the emulator until interrupted."""
import argparse
import logging
import signal
import sys
from pathlib import Path

from .hypervisor import Hypervisor
from .seed import DEMO_USER, SEEDS
from .service import DEFAULT_HOST, DEFAULT_PORT, Onesim

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="python -m onesim",
        description="OpenNebula 7.0 XML-RPC emulator (oned's methods, envelopes, errors and "
                    "life-cycle) with SQLite persistence.")
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="XML-RPC port, 0 for any free port (default %(default)s)")
    parser.add_argument("--data-dir", type=Path, default=Path("var/onesim"),
                        help="directory of the SQLite database and one_auth (default %(default)s)")
    parser.add_argument("--seed", choices=SEEDS, default="none",
                        help="objects created in an empty data directory (default %(default)s)")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="life-cycle timer speed factor, e.g. 10 runs timers 10x faster")
    parser.add_argument("--control-port", type=int, default=0,
                        help="loopback port of the fault-injection endpoint (default: any free)")
    parser.add_argument("--no-shareable-disks", dest="support_shareable", action="store_false",
                        help="the hypervisor refuses shareable disks (oned.conf SUPPORT_SHAREABLE=no)")
    parser.add_argument("--no-keep-snapshots", dest="keep_snapshots", action="store_false",
                        help="system snapshots are dropped on poweroff (oned.conf KEEP_SNAPSHOTS=no)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    arguments = parser.parse_args(argv)
    if arguments.speed <= 0:
        parser.error("--speed must be positive")
    return arguments


def main(argv=None):
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.DEBUG if arguments.verbose else logging.INFO,
                        format="%(asctime)s onesim %(levelname)s %(message)s")
    # The stop signals are blocked before any thread starts (threads inherit the mask) and
    # taken with sigwait below: no handler runs, so two signals at once (a terminal's Ctrl-C
    # and the SIGTERM of whoever started us) cannot interrupt each other halfway through a
    # lock, and one that comes before the banner is read waits until then.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    hypervisor = Hypervisor(arguments.support_shareable, arguments.keep_snapshots)
    onesim = Onesim(arguments.data_dir, arguments.host, arguments.port, arguments.seed,
                    arguments.speed, arguments.control_port, hypervisor)
    print(f"onesim {onesim.url} (control {onesim.control.url})", flush=True)
    print(f"oneadmin credentials in {arguments.data_dir / 'one_auth'}", flush=True)
    if arguments.seed == "demo":
        print("demo user: {}:{}".format(*DEMO_USER), flush=True)
    signal.sigwait(STOP_SIGNALS)
    onesim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
