"""constraints.txt pins every package the requirements pull in (make test installs with it),
at the version installed, and every requirement is among them."""
import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
NOT_PINNED = {"pip", "setuptools", "wheel", "cimi-one"}


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path):
    found = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            found[normalized(name)] = version.strip()
    return found


def installed_closure():
    """{name: version} of the requirements and everything they pull in, as installed."""
    pending = [*pins("requirements.txt"), *pins("requirements-dev.txt")]
    found = {}
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found[name] = metadata.version(name)
        for text in metadata.requires(name) or ():
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(normalized(requirement.name))
    return found


def test_every_package_the_requirements_pull_in_is_pinned_at_its_version():
    constraints = pins("constraints.txt")
    unpinned = {name: version for name, version in installed_closure().items()
                if name not in NOT_PINNED and constraints.get(name) != version}
    assert unpinned == {}


def test_requirements_agree_with_the_constraints():
    constraints = pins("constraints.txt")
    for requirements in ("requirements.txt", "requirements-dev.txt"):
        for name, version in pins(requirements).items():
            assert constraints.get(name) == version, (requirements, name)
