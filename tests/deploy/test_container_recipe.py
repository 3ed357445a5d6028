"""The container recipe, checked without a Docker engine (none exists where the suite runs):
what the Dockerfile copies exists and is not excluded from the build context, what it runs is
there, and compose.yaml's services use files and settings that exist."""
import fnmatch
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_instructions():
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.split(None, 1) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def excluded(path):
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    return any(fnmatch.fnmatch(path, pattern) or path.split("/")[0] == pattern
               for pattern in patterns)


def test_everything_the_image_copies_exists_and_reaches_the_build_context():
    copied = [source for keyword, arguments in dockerfile_instructions() if keyword == "COPY"
              for source in arguments.split()[:-1]]
    assert copied
    for source in copied:
        assert (ROOT / source).exists(), source
        assert not excluded(source), source


def test_what_the_image_runs_is_copied_into_it():
    commands = [arguments for keyword, arguments in dockerfile_instructions()
                if keyword in ("CMD", "HEALTHCHECK")]
    scripts = {script for command in commands for script in re.findall(r"scripts/\w+\.py", command)}
    assert scripts == {"scripts/run.py", "scripts/healthcheck.py"}
    assert all((ROOT / script).exists() for script in scripts)


def test_the_context_leaves_out_the_virtualenv_data_and_git():
    for path in (".venv", "var", ".git", "tests"):
        assert excluded(path), path


def test_compose_services_use_files_and_settings_that_exist():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {profile for service in services.values() for profile in service["profiles"]} == {
        "demo", "scale-out"}
    assert services["server"]["deploy"]["replicas"] == 3
    for service in services.values():
        for volume in service.get("volumes", ()):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
            else:
                assert source in compose["volumes"], source
    settings = (ROOT / "app" / "config.py").read_text()
    for service in services.values():
        for name in service.get("environment", {}):
            assert name.startswith("ONE_") or f'"{name}"' in settings, name
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server server:8080" in nginx and "listen 8080;" in nginx
