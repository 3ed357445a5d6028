"""How `cimi` fails (one `[ERROR]` line, non-zero exit, never a traceback) and where its
settings come from: the command line, then CIMI_*, then the file's chosen section, then
[default]; the password never from the command line."""
import configparser
import os
import stat
import subprocess

import pytest

from cimi_client.client import CimiError
from cimi_client.config import read_file, resolve, template
from cimi_client.main import build_parser, with_defaults
from cimi_client.output import JSON, TEXT
from cli_support import COMMAND_SECONDS, assert_one_error_line, cimi_command, run_cimi


# --- errors against the real server -----------------------------------------------------------

def test_unknown_image_and_type(cimi):
    assert_one_error_line(cimi("run-instance", "no-such-image"), "No machine image 'no-such-image'")
    assert_one_error_line(cimi("run-instance", "--type", "z9.huge", "ttylinux"),
                          "No instance type 'z9.huge'")


def test_wrong_password_is_the_servers_message(cimi):
    result = cimi("describe-instance", settings={"CIMI_PASSWORD": "wrong"})
    assert_one_error_line(result, "[ERROR] Service error: ")
    assert result.returncode == 1


def test_a_bad_filter_is_refused_by_the_server(cimi):
    assert_one_error_line(cimi("describe-images", "--filter", "name=="), "Service error: ")


def test_filter_is_passed_to_the_server(cimi):
    found = cimi("describe-images", "-q", "--filter", "name='ttylinux'")
    assert found.returncode == 0, found.stderr
    assert len(found.lines) == 1
    every = cimi("describe-images", "-q")
    assert found.lines[0] in every.lines and len(every.lines) > 1


def test_unreachable_endpoint(home):
    result = run_cimi(["describe-instance"], home,
                      {"CIMI_ENDPOINT": "http://127.0.0.1:9/cimi/cloudEntryPoint"})
    assert_one_error_line(result, "Cannot reach http://127.0.0.1:9/cimi/cloudEntryPoint")


def test_no_endpoint_says_how_to_give_one(home):
    assert_one_error_line(run_cimi(["describe-instance"], home), "No endpoint", "copy-config")


def test_no_password_without_a_terminal(cloud, home):
    result = run_cimi(["describe-instance"], home,
                      {"CIMI_ENDPOINT": cloud.endpoint, "CIMI_USERNAME": cloud.username})
    assert_one_error_line(result, f"No password for {cloud.username}")


def test_password_on_the_command_line_is_not_an_option(home):
    result = run_cimi(["describe-instance", "--password", "secret"], home)
    assert result.returncode == 2
    assert_one_error_line(result, "unrecognized arguments")
    assert "CIMI_PASSWORD" in run_cimi(["describe-instance", "--help"], home).stdout


def test_usage_errors_are_one_line(home):
    result = run_cimi(["run-instance", "--count", "0"], home)
    assert result.returncode == 2
    assert_one_error_line(result, "--count: 0 is less than 1")


def test_every_command_has_help_and_version(home):
    listing = run_cimi(["--help"], home)
    commands = ["run-instance", "describe-instance", "kill-instance", "shutdown-instance",
                "start-instance", "restart-instance", "connect-instance", "create-volume",
                "describe-volumes", "update-volume", "delete-volume", "attach-volume",
                "detach-volume", "describe-images", "register-image", "capture-instance",
                "prepare-context", "copy-config"]
    for command in commands:
        assert command in listing.stdout
        helped = run_cimi([command, "--help"], home)
        assert helped.returncode == 0 and helped.stdout.startswith("usage: cimi " + command)
        versioned = run_cimi([command, "--version"], home)
        assert versioned.stdout.startswith("cimi ")


def test_options_may_come_before_the_command(cimi, cloud):
    before = cimi("--format", "xml", "-q", "describe-images", "--filter", "name='ttylinux'")
    assert before.returncode == 0, before.stderr
    after = cimi("describe-images", "-q", "--format", "xml", "--filter", "name='ttylinux'")
    assert before.lines == after.lines and len(after.lines) == 1
    wrong = cimi("-u", cloud.username, "describe-instance", settings={"CIMI_PASSWORD": "wrong"})
    assert_one_error_line(wrong, "Service error: ")


def test_an_option_after_the_command_wins_over_the_same_before_it():
    arguments = with_defaults(build_parser().parse_args(
        ["--format", "xml", "--json", "describe-volumes", "--format", "json", "7"]))
    assert (arguments.format, arguments.mode, arguments.ids) == ("json", JSON, ["7"])
    plain = with_defaults(build_parser().parse_args(["describe-volumes"]))
    assert (plain.format, plain.mode, plain.verbose, plain.section) == (None, TEXT, 0, None)


def test_a_reader_going_away_ends_the_command_quietly(cloud, home):
    """`cimi describe-images --json | head -0`: the reader has gone before anything is
    written; the command ends with 141 as other commands do, and no traceback."""
    reading, writing = os.pipe()
    os.close(reading)
    environment = {**os.environ, "HOME": str(home), "CIMI_ENDPOINT": cloud.endpoint,
                   "CIMI_USERNAME": cloud.username, "CIMI_PASSWORD": cloud.password}
    try:
        finished = subprocess.run(cimi_command() + ["describe-images", "--json"], stdout=writing,
                                  stderr=subprocess.PIPE, text=True, env=environment,
                                  timeout=COMMAND_SECONDS)
    finally:
        os.close(writing)
    assert finished.returncode == 141
    assert finished.stderr == ""


# --- configuration ----------------------------------------------------------------------------

FILE = """
[default]
endpoint = http://default.example/cimi
username = filed
password = from-file
timeout = 30

[other]
endpoint = http://other.example/cimi
"""


def sections(text):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return {name: dict(parser[name]) for name in parser.sections()}


def test_command_line_over_environment_over_file_over_default():
    filed = sections(FILE)
    environment = {"CIMI_ENDPOINT": "http://environment.example/cimi", "CIMI_USERNAME": "env"}
    values = resolve({"endpoint": "http://line.example/cimi"}, environment, filed, "f")
    assert values["endpoint"] == "http://line.example/cimi"
    assert values["username"] == "env"
    assert values["timeout"] == "30"
    assert values["format"] == "json"
    assert values["password"] == "from-file"


def test_the_selected_section_wins_over_default_and_fills_in_from_it():
    filed = sections(FILE + "\n")
    filed["default"]["selected_section"] = "other"
    values = resolve({}, {}, filed, "f")
    assert (values["endpoint"], values["username"]) == ("http://other.example/cimi", "filed")
    assert resolve({}, {"CIMI_SECTION": "default"}, filed, "f")["endpoint"] == \
        "http://default.example/cimi"
    assert resolve({"section": "default"}, {"CIMI_SECTION": "other"}, filed, "f")["endpoint"] == \
        "http://default.example/cimi"
    with pytest.raises(CimiError, match=r"no \[missing\] section"):
        resolve({"section": "missing"}, {}, filed, "f")


def test_password_sources(tmp_path):
    password_file = tmp_path / "password"
    password_file.write_text("from-password-file\nignored\n")
    filed = sections(FILE)
    assert resolve({}, {"CIMI_PASSWORD": "env"}, filed, "f")["password"] == "env"
    assert resolve({"password_file": str(password_file)}, {"CIMI_PASSWORD": "env"}, filed,
                   "f")["password"] == "from-password-file"
    assert resolve({}, {"CIMI_PASSWORD_FILE": str(password_file)}, filed,
                   "f")["password"] == "from-password-file"
    assert resolve({}, {}, {}, "f")["password"] is None
    with pytest.raises(CimiError, match="Cannot read the password file"):
        resolve({"password_file": str(tmp_path / "missing")}, {}, filed, "f")


def test_a_file_without_default_is_refused(tmp_path):
    path = tmp_path / "cimi.cfg"
    path.write_text("[other]\nendpoint = x\n")
    with pytest.raises(CimiError, match=r"needs a \[default\] section"):
        read_file(path)
    assert read_file(tmp_path / "absent.cfg") == {}


def test_copy_config_writes_a_private_documented_template_that_reads_back(home):
    written = run_cimi(["copy-config"], home)
    assert written.returncode == 0, written.stderr
    path = home / ".config" / "cimi" / "cimi.cfg"
    assert written.stdout.strip() == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == template()
    assert "default" in read_file(path)
    assert_one_error_line(run_cimi(["copy-config"], home), "already exists")


def test_the_file_and_its_sections_reach_the_server(cloud, home):
    config = home / "clouds.cfg"
    config.write_text(f"[default]\nendpoint = http://127.0.0.1:9/nowhere\n"
                      f"username = {cloud.username}\npassword = {cloud.password}\n"
                      f"[test]\nendpoint = {cloud.endpoint}\n")
    config.chmod(0o600)
    assert_one_error_line(run_cimi(["describe-instance", "--config", str(config)], home),
                          "Cannot reach")
    for way in (["-S", "test"], ["--section", "test"]):
        result = run_cimi(["describe-instance", "--config", str(config), *way], home)
        assert result.returncode == 0, result.stderr
    result = run_cimi(["describe-instance"], home,
                      {"CIMI_CONFIG": str(config), "CIMI_SECTION": "test"})
    assert result.returncode == 0, result.stderr
    result = run_cimi(["describe-instance", "--config", str(config),
                       "--endpoint", cloud.endpoint], home)
    assert result.returncode == 0, result.stderr


def test_a_password_others_may_read_is_warned_about(cloud, home):
    config = home / "cimi.cfg"
    config.write_text(f"[default]\nendpoint = {cloud.endpoint}\nusername = {cloud.username}\n"
                      f"password = {cloud.password}\n")
    config.chmod(0o644)
    result = run_cimi(["describe-instance", "-q"], home, {"CIMI_CONFIG": str(config)})
    assert result.returncode == 0
    assert result.stderr.startswith("[WARNING] ") and "chmod 600" in result.stderr
    config.chmod(0o600)
    assert run_cimi(["describe-instance", "-q"], home, {"CIMI_CONFIG": str(config)}).stderr == ""


def test_credentials_in_the_endpoint_url_never_reach_a_message(home):
    result = run_cimi(["describe-instance"], home,
                      {"CIMI_ENDPOINT": "http://alice:s3cret@127.0.0.1:9/cimi/cloudEntryPoint"})
    assert_one_error_line(result, "Cannot reach http://127.0.0.1:9/cimi/cloudEntryPoint")
    assert "s3cret" not in result.stderr + result.stdout


def test_copy_config_replaces_a_broken_file_with_force(home):
    path = home / ".config" / "cimi" / "cimi.cfg"
    path.parent.mkdir(parents=True)
    path.write_text("[not-default]\n")
    assert_one_error_line(run_cimi(["describe-instance"], home), r"needs a [default] section")
    assert run_cimi(["copy-config", "--force"], home).returncode == 0
    assert "default" in read_file(path)
