"""Administration commands, run against a real cloud (or the emulator):

    python -m app.admin install-instance-types [--session USER:PASSWORD]

The OpenNebula endpoint is ONE_XMLRPC, as for the server. The session is `--session`, else the
first line of the file named by ONE_AUTH, else of ~/.one/one_auth (OpenNebula's own
conventions); it should be oneadmin's, so the instance types belong to the cloud and every user
may use them.
"""
import argparse
import os
import sys
from pathlib import Path

from app import create_app
from app.errors import DomainError
from app.one import gateway_for
from app.services.machine_configurations import install_instance_types

DEFAULT_AUTH_FILE = Path.home() / ".one" / "one_auth"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m app.admin", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser(
        "install-instance-types",
        help="create the StratusLab instance types as machine configurations (idempotent)")
    install.add_argument("--session", help="OpenNebula session USER:PASSWORD")
    arguments = parser.parse_args(argv)
    try:
        session = arguments.session or _session_from_file()
    except OSError as error:
        parser.error(f"no session: {error}")
    return _install_instance_types(session)


def _session_from_file():
    path = Path(os.environ.get("ONE_AUTH") or DEFAULT_AUTH_FILE)
    lines = path.read_text().splitlines()
    if not lines or ":" not in lines[0]:
        raise OSError(f"{path} does not hold a USER:PASSWORD line")
    return lines[0].strip()


def _install_instance_types(session):
    application = create_app()
    with application.app_context():
        try:
            created = install_instance_types(gateway_for(session))
        except DomainError as error:
            print(f"install-instance-types failed: {error.message}", file=sys.stderr)
            return 1
    if created:
        print("Installed instance types: " + ", ".join(created))
    else:
        print("All instance types were already installed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
