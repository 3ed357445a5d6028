"""Settings: the command line first, then the environment (CIMI_<NAME>), then the file.

The file is INI (default ~/.config/cimi/cimi.cfg, or --config / CIMI_CONFIG). It must have a
[default] section; other sections describe other clouds and are chosen with -S/--section,
CIMI_SECTION or `selected_section` in [default]. A chosen section's values win over
[default]'s, which fill in the rest.

The password has no command-line option, so it never shows in a process listing: it comes from
CIMI_PASSWORD, a password file (--password-file, CIMI_PASSWORD_FILE or `password_file`), the
configuration file's `password`, or a prompt when the command runs in a terminal.
"""
import configparser
import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cimi_client.client import CimiError

ENVIRONMENT_PREFIX = "CIMI_"
DEFAULT_SECTION = "default"
SECTION_KEY = "selected_section"
SECTION_ENVIRONMENT = "CIMI_SECTION"
CONFIG_ENVIRONMENT = "CIMI_CONFIG"


@dataclass(frozen=True)
class Setting:
    name: str
    help: str
    default: str | None = None
    flags: tuple = ()           # command-line options; none for secrets
    environment: str | None = None  # when it differs from CIMI_<NAME>
    choices: tuple | None = None
    commands: tuple | None = None   # the commands that take the option; None: every command
    metavar: str | None = None

    @property
    def variable(self):
        return self.environment or ENVIRONMENT_PREFIX + self.name.upper()


SETTINGS = (
    Setting("endpoint", "the cloud's Cloud Entry Point URL, e.g. "
            "https://cloud.example.org/cimi/cloudEntryPoint", flags=("--endpoint",), metavar="URL"),
    Setting("username", "your user name on the cloud", flags=("-u", "--username"),
            metavar="NAME"),
    Setting("password", "your password: never an option, so it cannot show in a process "
            "listing; set CIMI_PASSWORD, `password` in the file, use --password-file, or "
            "answer the prompt"),
    Setting("password_file", "a file whose first line is your password",
            flags=("--password-file",), metavar="FILE"),
    Setting("format", "the format spoken with the server", default="json",
            flags=("--format",), choices=("json", "xml")),
    Setting("timeout", "seconds to wait for machines and jobs before giving up",
            default="600", flags=("--timeout",), metavar="SECONDS"),
    Setting("user_public_key_file", "your public SSH key, given to new machines "
            "(default: ~/.ssh/id_rsa.pub when it exists)", flags=("--key",), environment="CIMI_KEY",
            commands=("run-instance",), metavar="FILE"),
    Setting("instance_type", "the instance type of new machines (see --list-type)",
            default="m1.small", flags=("-t", "--type"), commands=("run-instance",),
            metavar="TYPE"),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


def config_path(arguments, environ):
    given = arguments.get("config") or environ.get(CONFIG_ENVIRONMENT)
    if given:
        return Path(given).expanduser()
    base = environ.get("XDG_CONFIG_HOME") or Path(environ.get("HOME", "~")) / ".config"
    return Path(base).expanduser() / "cimi" / "cimi.cfg"


def read_file(path):
    """The file's sections as dicts; none at all when the file does not exist."""
    parser = configparser.ConfigParser(interpolation=None, default_section="\0none")
    try:
        with open(path, encoding="utf-8") as stream:
            parser.read_file(stream)
    except FileNotFoundError:
        return {}
    except (OSError, configparser.Error) as error:
        raise CimiError(
            f"Cannot read the configuration file {path}: {_first_line(error)}") from None
    sections = {name: dict(parser[name]) for name in parser.sections()}
    if DEFAULT_SECTION not in sections:
        raise CimiError(f"The configuration file {path} needs a [{DEFAULT_SECTION}] section.")
    return sections


def file_values(sections, arguments, environ, path):
    """The values of the selected section over those of [default]."""
    if not sections:
        return {}
    defaults = sections[DEFAULT_SECTION]
    selected = (arguments.get("section") or environ.get(SECTION_ENVIRONMENT)
                or defaults.get(SECTION_KEY))
    if not selected or selected == DEFAULT_SECTION:
        return dict(defaults)
    if selected not in sections:
        raise CimiError(f"The configuration file {path} has no [{selected}] section.")
    return {**defaults, **sections[selected]}


def resolve(arguments, environ, sections, path):
    """Every setting's value (None when unset), each from the first place that has it:
    the command line, the environment, the file, the default."""
    from_file = file_values(sections, arguments, environ, path)
    values = {}
    for setting in SETTINGS:
        for source in (arguments, {setting.name: environ.get(setting.variable)}, from_file):
            if source.get(setting.name) not in (None, ""):
                values[setting.name] = source[setting.name]
                break
        else:
            values[setting.name] = setting.default
    values["password"] = _password(arguments, environ, from_file)
    return values


def _password(arguments, environ, from_file):
    """The first of: --password-file, CIMI_PASSWORD, CIMI_PASSWORD_FILE, the file's password,
    the file's password_file; None when there is none."""
    candidates = (
        ("file", arguments.get("password_file")),
        ("text", environ.get(BY_NAME["password"].variable)),
        ("file", environ.get(BY_NAME["password_file"].variable)),
        ("text", from_file.get("password")),
        ("file", from_file.get("password_file")),
    )
    for kind, value in candidates:
        if value:
            return value if kind == "text" else read_password_file(value)
    return None


def read_password_file(path):
    try:
        with open(Path(path).expanduser(), encoding="utf-8") as stream:
            return stream.readline().rstrip("\r\n")
    except OSError as error:
        raise CimiError(f"Cannot read the password file {path}: {error.strerror}.") from None


def prompt_password(username):
    """Ask in a terminal; elsewhere (scripts, pipes) there is nobody to ask."""
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"Password for {username}: ")


def load(arguments, environ=None):
    """(settings, warnings) for a command's arguments: a file holding a password that others
    may read is worth a warning."""
    environ = os.environ if environ is None else environ
    path = config_path(arguments, environ)
    sections = read_file(path)
    warnings = []
    holds_secret = any("password" in section for section in sections.values())
    if holds_secret and path.stat().st_mode & 0o077:
        warnings.append(f"{path} holds a password and others may read it: chmod 600 {path}")
    return resolve(arguments, environ, sections, path), warnings


def template():
    """The documented configuration file `cimi copy-config` writes."""
    lines = [
        "# Configuration of the `cimi` command.",
        "#",
        "# Each setting can also be given on the command line (where an option exists) or in",
        "# the environment as CIMI_<NAME IN CAPITALS>; the command line wins over the",
        "# environment, which wins over this file.",
        "#",
        "# [default] is always read. Other sections describe other clouds: choose one with",
        f"# `{SECTION_KEY} = name` below, with -S/--section or with {SECTION_ENVIRONMENT};",
        "# what it leaves out is taken from [default].",
        "#",
        "# Keep this file private (chmod 600) when it holds a password.",
        "",
        f"[{DEFAULT_SECTION}]",
        f"# {SECTION_KEY} = my-other-cloud",
    ]
    for setting in SETTINGS:
        lines.append("")
        lines.append(f"# {setting.help[:1].upper()}{setting.help[1:]}.")
        where = [f"environment {setting.variable}"]
        if setting.flags:
            where.insert(0, "option " + "/".join(setting.flags))
        lines.append("# (" + ", ".join(where) + ")")
        lines.append(f"# {setting.name} = {setting.default or ''}".rstrip())
    lines += ["", "# [my-other-cloud]",
              "# endpoint = https://other.example.org/cimi/cloudEntryPoint",
              "# username = someone", ""]
    return "\n".join(lines)


def _first_line(error):
    return str(error).splitlines()[0] if str(error) else type(error).__name__
