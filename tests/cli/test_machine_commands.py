"""The `cimi` machine commands against gunicorn and onesim: the StratusLab guide's quick start
(run, describe, kill), instance types, overrides, --count, the life-cycle and ssh."""
import json
import re

from cimi_client.client import short_id
from cli_support import assert_one_error_line, fake_ssh

GUIDE_TYPES = {
    "c1.medium": ("1 CPU", "256 MB", "1024 MB"),
    "c1.xlarge": ("4 CPU", "2048 MB", "2048 MB"),
    "m1.large": ("2 CPU", "512 MB", "1024 MB"),
    "m1.small": ("1 CPU", "128 MB", "1024 MB"),
    "m1.xlarge": ("2 CPU", "1024 MB", "1024 MB"),
    "t1.micro": ("1 CPU", "128 MB", "512 MB"),
}
QUIET_LINE = re.compile(r"^(\d+), (\d+\.\d+\.\d+\.\d+)$")


def table(result):
    """describe-instance rows by id: the header's columns to each row's cells."""
    header, *rows = result.lines
    assert header.split() == ["id", "state", "vcpu", "memory", "cpu%", "host/ip", "name"]
    return {cells[0]: cells for cells in (row.split() for row in rows)}


def test_quick_start_run_describe_kill(cimi):
    run = cimi("run-instance", "ttylinux", "--wait", "--name", "quick-start")
    assert run.returncode == 0, run.stderr
    (machine_line,) = [line for line in run.lines if "vm ID:" in line]
    machine_id = re.search(r"vm ID: (\d+)", machine_line).group(1)
    assert re.search(r"Public ip: \d+\.\d+\.\d+\.\d+", run.stdout)
    assert run.lines[-1] == ":: Done!"

    described = table(cimi("describe-instance"))
    assert described[machine_id][1:4] == ["STARTED", "1", str(128 * 1024)]
    # cpu%: the server's cpuUsage once OpenNebula has monitored the machine.
    assert described[machine_id][4] == "-" or float(described[machine_id][4]) >= 0
    assert described[machine_id][-1] == "quick-start"
    assert list(table(cimi("describe-instance", machine_id))) == [machine_id]

    killed = cimi("kill-instance", machine_id, "--wait")
    assert killed.returncode == 0, killed.stderr
    assert machine_id not in table(cimi("describe-instance"))
    assert_one_error_line(cimi("describe-instance", machine_id), f"No machine '{machine_id}'")


def test_quiet_run_prints_id_and_address_per_machine_with_count(cimi, cloud):
    run = cimi("run-instance", "-q", "--count", "3", "--type", "t1.micro", "ttylinux")
    assert run.returncode == 0, run.stderr
    parsed = [QUIET_LINE.match(line) for line in run.lines]
    assert len(parsed) == 3 and all(parsed), run.stdout
    ids = [match.group(1) for match in parsed]
    assert len(set(ids)) == 3
    client = cloud.client()
    for identifier in ids:
        machine = next(member for member in client.members("machines")
                       if short_id(member["id"]) == identifier)
        assert machine["machineConfig"]["href"].endswith(
            _configuration_id(client, "t1.micro"))
    killed = cimi("kill-instance", "-q", *ids)
    assert killed.lines == ids


def _configuration_id(client, name):
    (configuration,) = [member for member in client.members("machineConfigs")
                        if member["name"] == name]
    return "/" + short_id(configuration["id"])


def test_list_type_is_the_guides_table_with_the_default_marked(cimi):
    listed = cimi("run-instance", "--list-type")
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.lines
    assert header.split() == ["Type", "CPU", "RAM", "SWAP"]
    marked = [row for row in rows if row.startswith("* ")]
    assert [row.split()[1] for row in marked] == ["m1.small"]
    found = {}
    for row in rows:
        cells = row.lstrip("* ").split()
        found[cells[0]] = (" ".join(cells[1:3]), " ".join(cells[3:5]), " ".join(cells[5:7]))
    assert found == GUIDE_TYPES
    assert [name for name in found] == sorted(found)


def test_the_configured_type_is_the_one_marked_and_used(cimi):
    listed = cimi("run-instance", "--list-type", settings={"CIMI_INSTANCE_TYPE": "c1.xlarge"})
    assert [row.split()[1] for row in listed.lines if row.startswith("* ")] == ["c1.xlarge"]


def test_overrides_of_the_type(cimi, cloud):
    run = cimi("run-instance", "-q", "--cpu", "2", "--ram", "256", "--swap", "0",
               "--volatile-disk", "1", "ttylinux")
    assert run.returncode == 0, run.stderr
    machine_id = QUIET_LINE.match(run.stdout.strip()).group(1)
    client = cloud.client()
    machine = next(member for member in client.members("machines")
                   if short_id(member["id"]) == machine_id)
    assert (machine["cpu"], machine["memory"]) == (2, 256 * 1024)
    disks = client.members(machine["disks"]["href"])
    volatile = [(disk["capacity"], disk["format"]) for disk in disks if disk.get("volatile")]
    assert volatile == [(1024 * 1024, "raw")]
    cimi("kill-instance", machine_id)


def test_json_output_parses_back_to_the_servers_documents(cimi, cloud):
    run = cimi("run-instance", "--json", "--name", "json-run", "ttylinux")
    (launched,) = json.loads(run.stdout)
    assert launched["name"] == "json-run"
    assert launched["resourceURI"].endswith("/Machine")
    described = json.loads(cimi("describe-instance", "--json", short_id(launched["id"])).stdout)
    assert [machine["id"] for machine in described] == [launched["id"]]
    served = cloud.client().get(launched["id"])
    for key in ("name", "cpu", "memory", "machineImage", "ipAddresses", "created"):
        assert described[0][key] == served[key] == launched[key]
    cimi("kill-instance", short_id(launched["id"]))


def test_shutdown_start_restart(cimi):
    run = cimi("run-instance", "-q", "--wait", "ttylinux")
    machine_id = QUIET_LINE.match(run.stdout.strip()).group(1)
    assert cimi("shutdown-instance", "--wait", machine_id).returncode == 0
    assert table(cimi("describe-instance", machine_id))[machine_id][1] == "STOPPED"
    assert_one_error_line(cimi("restart-instance", machine_id), "no restart operation", "STOPPED")
    assert cimi("start-instance", "--wait", machine_id).returncode == 0
    assert table(cimi("describe-instance", machine_id))[machine_id][1] == "STARTED"
    assert cimi("restart-instance", "--wait", machine_id).returncode == 0
    assert cimi("kill-instance", "--wait", machine_id).returncode == 0


def test_verbose_describe_shows_attributes_then_disks(cimi):
    machine_id = QUIET_LINE.match(cimi("run-instance", "-q", "ttylinux").stdout.strip()).group(1)
    plain = cimi("describe-instance", machine_id).stdout
    verbose = cimi("describe-instance", "-v", machine_id).stdout
    very = cimi("describe-instance", "-vv", machine_id).stdout
    assert "machineImage: " in verbose and "machineImage: " not in plain
    assert "disks: " in very and "disks: " not in verbose
    cimi("kill-instance", machine_id)


def test_connect_instance_runs_ssh_as_root(cimi, home):
    run = cimi("run-instance", "-q", "ttylinux")
    machine_id, address = QUIET_LINE.match(run.stdout.strip()).groups()
    connected = cimi("connect-instance", machine_id, "--", "-p", "2222", path=fake_ssh(home))
    assert connected.returncode == 0, connected.stderr
    assert connected.stdout.split() == ["ssh", f"root@{address}", "-p", "2222"]
    cimi("kill-instance", machine_id)


def test_kill_reports_each_unknown_machine_and_fails(cimi):
    run = cimi("run-instance", "-q", "ttylinux")
    machine_id = QUIET_LINE.match(run.stdout.strip()).group(1)
    killed = cimi("kill-instance", "-q", "--wait", "999999", machine_id)
    assert_one_error_line(killed, "No machine '999999'")
    assert killed.lines == [machine_id]
    assert machine_id not in table(cimi("describe-instance"))


def test_a_machine_still_being_created_can_be_killed(cimi, cloud):
    machine_id = QUIET_LINE.match(cimi("run-instance", "-q", "ttylinux").stdout.strip()).group(1)
    killed = cimi("kill-instance", "--wait", machine_id)
    assert killed.returncode == 0, killed.stderr
    remaining = cloud.client().members("machines")
    assert machine_id not in {short_id(member["id"]) for member in remaining}


def test_speaking_xml_to_the_server_prints_the_same(cimi):
    run = cimi("run-instance", "-q", "--wait", "ttylinux")
    machine_id = QUIET_LINE.match(run.stdout.strip()).group(1)
    for command in (["describe-images"], ["run-instance", "--list-type"],
                    ["describe-instance", machine_id]):
        in_json = cimi(*command, "--json")
        in_xml = cimi(*command, "--json", "--format", "xml")
        assert in_xml.returncode == 0, in_xml.stderr
        assert json.loads(in_xml.stdout) == json.loads(in_json.stdout)
    cimi("kill-instance", machine_id)


PROGRESS_LINE = re.compile(r"^:: machine (\d+): (?:[A-Z]+\.* )*STARTED$")


def test_wait_progress_is_a_line_of_its_own_after_what_came_before(cimi):
    run = cimi("run-instance", "ttylinux", "--wait", "--count", "2", merged=True)
    assert run.returncode == 0, run.stdout
    assert run.stdout.endswith("\n")
    lines = run.lines
    machine_lines = [index for index, line in enumerate(lines) if "vm ID:" in line]
    progress_lines = [index for index, line in enumerate(lines) if PROGRESS_LINE.match(line)]
    assert len(machine_lines) == len(progress_lines) == 2, lines
    assert max(machine_lines) < min(progress_lines), lines
    assert lines[-1] == ":: Done!"
    assert not [line for line in lines if ":: machine" in line[1:]], lines
    cimi("kill-instance", *(PROGRESS_LINE.match(lines[index]).group(1)
                            for index in progress_lines))


def test_wait_shows_no_progress_with_quiet_or_json(cimi):
    quiet = cimi("run-instance", "-q", "--wait", "ttylinux")
    assert (quiet.returncode, quiet.stderr) == (0, "")
    (line,) = quiet.lines
    as_json = cimi("run-instance", "--json", "--wait", "ttylinux")
    assert (as_json.returncode, as_json.stderr) == (0, "")
    (machine,) = json.loads(as_json.stdout)
    assert machine["state"] == "STARTED"
    cimi("kill-instance", QUIET_LINE.match(line).group(1), short_id(machine["id"]))


def test_a_machine_no_host_can_take_says_why_when_the_wait_ends_and_when_described(cimi):
    """64 GiB is more than the test clouds' host has: the machine stays CREATING, and both the
    end of the wait and describe-instance say why, in the server's (OpenNebula's) words."""
    run = cimi("run-instance", "ttylinux", "--ram", str(64 * 1024), "--wait", "--timeout", "3",
               "--name", "too-big")
    (machine_line,) = [line for line in run.lines if "vm ID:" in line]
    machine_id = re.search(r"vm ID: (\d+)", machine_line).group(1)
    try:
        assert run.returncode != 0
        progress, error = run.stderr.strip().splitlines()     # the progress line, then why
        assert progress.startswith(f":: machine {machine_id}: CREATING")
        assert error.startswith("[ERROR] ")
        assert f"/machines/{machine_id} is still CREATING after 3 s (waiting for " in error
        assert "): Waiting " in error
        described = cimi("describe-instance", machine_id)
        assert described.returncode == 0, described.stderr
        header, row, why = described.lines
        assert row.split()[:2] == [machine_id, "CREATING"]
        assert why.startswith("    why: Waiting ")
    finally:
        cimi("kill-instance", machine_id)


def test_a_started_machine_is_described_without_a_reason(cimi):
    machine_id = QUIET_LINE.match(cimi("run-instance", "-q", "--wait", "ttylinux")
                                  .stdout.strip()).group(1)
    try:
        assert len(cimi("describe-instance", machine_id).lines) == 2
    finally:
        cimi("kill-instance", machine_id)


def test_a_machine_that_fails_to_boot_says_why_the_wait_failed(cimi, onesim_process):
    """The boot failure is onesim's injected one (on a real oned: the dummy driver's)."""
    onesim_process.fail_boots(1)
    try:
        run = cimi("run-instance", "ttylinux", "--wait", "--name", "doomed")
    finally:
        onesim_process.clear_faults()
    (machine_line,) = [line for line in run.lines if "vm ID:" in line]
    machine_id = re.search(r"vm ID: (\d+)", machine_line).group(1)
    try:
        assert run.returncode != 0
        error = run.stderr.strip().splitlines()[-1]
        assert error.startswith(f"[ERROR] Machine {machine_id} is ERROR, not STARTED: "
                                "BOOT_FAILURE"), run.stderr
    finally:
        cimi("kill-instance", machine_id)
