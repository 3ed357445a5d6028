"""What every command is given, and how commands are declared (as data, for the parser)."""
import argparse
from dataclasses import dataclass, field

from cimi_client.client import CimiClient, CimiError, ServiceError, short_id
from cimi_client.config import load, prompt_password


def whole_number(minimum):
    """An argparse type: an integer of at least `minimum`."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is less than {minimum}")
        return value
    return parse


POSITIVE = whole_number(1)
NOT_NEGATIVE = whole_number(0)


@dataclass(frozen=True)
class Arg:
    """One argparse argument: `Arg("-i", "--instance", help=...)`."""
    flags: tuple
    options: dict

    def __init__(self, *flags, **options):
        object.__setattr__(self, "flags", flags)
        object.__setattr__(self, "options", options)


@dataclass(frozen=True)
class Command:
    name: str
    run: object
    help: str
    description: str
    arguments: tuple = ()


@dataclass
class Invocation:
    """A command's arguments and output; its settings and client are made on first use, so
    commands that need neither (copy-config) work even with a broken configuration file."""
    arguments: object
    output: object
    failures: int = 0
    _settings: dict | None = field(default=None, repr=False)
    _client: CimiClient | None = field(default=None, repr=False)

    @property
    def settings(self):
        if self._settings is None:
            self._settings, warnings = load(vars(self.arguments))
            for warning in warnings:
                self.output.warn(warning)
        return self._settings

    @property
    def client(self):
        if self._client is None:
            self._client = self._connect()
        return self._client

    @property
    def timeout(self):
        try:
            return float(self.settings["timeout"])
        except (TypeError, ValueError):
            raise CimiError("timeout must be a number of seconds, not "
                            f"{self.settings['timeout']!r}.") from None

    def each(self, items, work):
        """`work(item)` for every item; a failure is reported and the others still done."""
        for item in items:
            try:
                work(item)
            except CimiError as error:
                self.output.error(describe_error(error))
                self.failures += 1

    def settled(self, answer, states, href, kind):
        """The resource at `href` once the change `answer` started has brought it to one of
        `states`, with a progress line meanwhile."""
        progress = self.output.progress(f"{kind} {short_id(href)}")
        document = self.client.settle(answer, self.timeout, states, href, progress)
        self.output.end_progress()
        return document

    def chosen(self, members, kind, by_name=False):
        """The members the command's ids name (a failure to find one is reported like any
        other), or all of them when it names none."""
        if not self.arguments.ids:
            return members
        chosen = []
        self.each(self.arguments.ids, lambda identifier: chosen.append(
            pick(members, identifier, kind, by_name)))
        return chosen

    def _connect(self):
        endpoint = self.settings["endpoint"]
        if not endpoint:
            raise CimiError("No endpoint: give the Cloud Entry Point URL with --endpoint, "
                            "CIMI_ENDPOINT or `endpoint` in the configuration file "
                            "(`cimi copy-config` writes one).")
        username = self.settings["username"]
        password = self.settings["password"]
        if username and password is None:
            password = prompt_password(username)
            if password is None:
                raise CimiError(f"No password for {username}: set CIMI_PASSWORD, `password` "
                                "in the configuration file, or use --password-file.")
        return CimiClient(endpoint, username, password, fmt=self.settings["format"])


def describe_error(error):
    """The guide's error line, without its [ERROR] prefix: server refusals are service errors."""
    if isinstance(error, ServiceError):
        return f"Service error: {error}"
    return str(error)


def find(client, collection, identifier, kind, by_name=False):
    """The member of a collection an id (last URI segment), full URI or, when `by_name`, a
    name designates."""
    return pick(client.members(collection), identifier, kind, by_name)


def created_href(answer, unlocated):
    """The URI of what a POST created: its Location, else the id of the document it answered
    with; CimiError(unlocated) when it gives neither."""
    href = answer.location or (answer.document or {}).get("id")
    if not href:
        raise CimiError(unlocated)
    return href


def pick(members, identifier, kind, by_name=False):
    by_id = [member for member in members
             if identifier in (member.get("id"), short_id(member.get("id", "")))]
    if by_id:
        return by_id[0]
    named = [member for member in members if by_name and member.get("name") == identifier]
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(short_id(member["id"]) for member in named)
        raise CimiError(f"{len(named)} {kind}s are named {identifier!r} ({ids}): give an id.")
    raise CimiError(f"No {kind} {identifier!r}.")
