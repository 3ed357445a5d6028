"""Bootstrap objects (as oned creates them) and the `demo` seed."""
import secrets

from .auth import ONEADMIN_GID, USERS_GID
from .users import BOOTSTRAP_GROUPS, create_group, create_user

ONE_AUTH_FILE = "one_auth"
DEMO_USER = ("demo", "demo")
SEEDS = ("none", "demo")


def bootstrap(emulator):
    """oned's first start: groups oneadmin and users, users oneadmin and serveradmin.

    oneadmin's random password is written to <data-dir>/one_auth as "oneadmin:<password>".
    """
    for gid, name in BOOTSTRAP_GROUPS:
        create_group(emulator, name, gid)
    password = secrets.token_hex(16)
    create_user(emulator, "oneadmin", password, [ONEADMIN_GID])
    create_user(emulator, "serveradmin", secrets.token_hex(16), [ONEADMIN_GID], "server_cipher")
    auth_file = emulator.data_dir / ONE_AUTH_FILE
    auth_file.write_text(f"oneadmin:{password}\n")
    auth_file.chmod(0o600)


def seed_demo(emulator):
    name, password = DEMO_USER
    create_user(emulator, name, password, [USERS_GID])
    for seeder in DEMO_SEEDERS:
        seeder(emulator)


# Modules owning other demo objects append their seeders here at import time.
DEMO_SEEDERS = []


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
