"""The `cimi` volume commands against gunicorn and onesim: the StratusLab guide's persistent
disks (create, list, use at launch, delete; only the owner may delete), public and private
volumes, read-only shared volumes and hot-plug (attach, detach)."""
import re
import time

from cimi_client.client import short_id
from cli_support import assert_one_error_line
from support.lanes import STATE_WAIT_SECONDS

DISK_LINE = re.compile(r"^DISK (\d+)$")
QUIET_LINE = re.compile(r"^(\d+), (\d+\.\d+\.\d+\.\d+)$")


def create(cimi, *arguments):
    created = cimi("create-volume", *arguments)
    assert created.returncode == 0, created.stderr
    return DISK_LINE.match(created.stdout.strip()).group(1)


def described(cimi, volume_id):
    """describe-volumes' block for one volume: its `label: value` lines as a dict."""
    result = cimi("describe-volumes", volume_id)
    assert result.returncode == 0, result.stderr
    head, *fields = result.lines
    assert head == f":: DISK {volume_id}"
    return dict(line.strip().split(": ", 1) for line in fields)


def launch(cimi, *arguments):
    run = cimi("run-instance", "-q", "--wait", *arguments, "ttylinux")
    assert run.returncode == 0, run.stderr
    return QUIET_LINE.match(run.stdout.strip()).groups()


def test_persistent_disk_life_cycle(cimi, cloud):
    volume_id = create(cimi, "--size", "1", "--tag", "mydisk")
    block = described(cimi, volume_id)
    assert (block["tag"], block["size"], block["users"], block["owner"], block["visibility"],
            block["shareable"]) == ("mydisk", "1", "0", cloud.username, "private", "false")
    listed = cimi("describe-volumes", "-q")
    assert volume_id in listed.lines

    deleted = cimi("delete-volume", "--wait", volume_id)
    assert deleted.stdout == f"DELETED {volume_id}\n"
    assert volume_id not in cimi("describe-volumes", "-q").lines


def test_a_machine_launched_with_a_persistent_disk(cimi, cloud):
    volume_id = create(cimi, "--size", "1", "--tag", "data")
    machine_id, _ = launch(cimi, "--persistent-disk", volume_id)
    assert described(cimi, volume_id)["users"] == "1"
    client = cloud.client()
    machine = next(member for member in client.members("machines")
                   if short_id(member["id"]) == machine_id)
    persistent = [disk for disk in client.members(machine["disks"]["href"])
                  if disk.get("persistent")]
    assert [(disk["name"], disk["readOnly"]) for disk in persistent] == [("data", False)]

    assert_one_error_line(cimi("delete-volume", volume_id), "Service error: ", "attached")
    assert cimi("kill-instance", "--wait", machine_id).returncode == 0
    assert described(cimi, volume_id)["users"] == "0"
    assert cimi("delete-volume", "--wait", volume_id).returncode == 0


def test_public_private_and_tag_updates(cimi):
    volume_id = create(cimi, "--size", "1", "--tag", "shared", "--public")
    assert described(cimi, volume_id)["visibility"] == "public"
    updated = cimi("update-volume", "--private", "--tag", "renamed", volume_id)
    assert updated.stdout == f"UPDATED {volume_id}\n", updated.stderr
    block = described(cimi, volume_id)
    assert (block["visibility"], block["tag"]) == ("private", "renamed")
    assert_one_error_line(cimi("update-volume", volume_id), "Say what to change")
    cimi("delete-volume", volume_id)


def test_only_the_owner_may_delete_a_public_volume(cimi, cloud, other_user):
    volume_id = create(cimi, "--size", "1", "--tag", "mine", "--public")
    assert volume_id in cimi("describe-volumes", "-q", settings=other_user).lines
    refused = cimi("delete-volume", volume_id, settings=other_user)
    assert_one_error_line(refused, "Service error: ", "only its owner can delete it")
    assert volume_id in cimi("describe-volumes", "-q").lines
    cimi("delete-volume", volume_id)


def test_a_shareable_volume_read_only_on_two_machines(cimi, cloud):
    volume_id = create(cimi, "--size", "1", "--tag", "dataset", "--shareable")
    machines = [launch(cimi, "--readonly-disk", volume_id)[0] for _ in range(2)]
    assert described(cimi, volume_id)["users"] == "2"
    client = cloud.client()
    for machine in client.members("machines"):
        if short_id(machine["id"]) in machines:
            disks = client.members(machine["disks"]["href"])
            assert [disk["readOnly"] for disk in disks if disk.get("persistent")] == [True]
    refused = cimi("run-instance", "--persistent-disk", volume_id, "ttylinux")
    assert_one_error_line(refused, "Service error: ", "read-only")
    assert cimi("kill-instance", "--wait", *machines).returncode == 0
    cimi("delete-volume", volume_id)


def test_a_read_only_data_volume_from_a_url(cimi, cloud):
    """The guide's 7.6: a data image on a web server becomes a shareable volume that
    machines get read-only with --readonly-disk; nothing else is left behind."""
    client = cloud.client()
    images_before = {image["id"] for image in client.members("volumeImages")}
    volume_id = create(cimi, "--location", "https://data.example.org/flora-fauna.iso.gz",
                       "--tag", "flora-fauna", "--shareable")
    fields = described(cimi, volume_id)
    assert (fields["state"], fields["shareable"], fields["tag"]) == (
        "AVAILABLE", "true", "flora-fauna")
    machine_id, _ = launch(cimi, "--readonly-disk", volume_id)
    assert described(cimi, volume_id)["users"] == "1"
    assert cimi("kill-instance", "--wait", machine_id).returncode == 0
    assert cimi("delete-volume", "--wait", volume_id).returncode == 0
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    while {image["id"] for image in client.members("volumeImages")} != images_before:
        assert time.monotonic() < deadline, "the data image was left behind"
        time.sleep(0.2)


def test_create_volume_needs_a_size_or_a_location(cimi):
    for arguments in ((), ("--size", "1", "--location", "https://data.example.org/x.iso")):
        assert_one_error_line(cimi("create-volume", "--tag", "t", *arguments),
                              "Give --size GIB for an empty volume, or --location URL")


def test_hot_plug_attach_and_detach(cimi):
    volumes = [create(cimi, "--size", "1", "--tag", f"hot{number}") for number in (1, 2)]
    machine_id, _ = launch(cimi)
    attached = cimi("attach-volume", "-i", machine_id, *volumes)
    assert attached.returncode == 0, attached.stderr
    devices = []
    for volume_id, line in zip(volumes, attached.lines, strict=True):
        match = re.match(rf"^ATTACHED {volume_id} in VM {machine_id} on (/dev/\w+)$", line)
        assert match, attached.stdout
        devices.append(match.group(1))
    assert len(set(devices)) == 2
    assert [described(cimi, volume_id)["users"] for volume_id in volumes] == ["1", "1"]

    # Without --wait too: each volume but the last is waited for before the next is asked.
    detached = cimi("detach-volume", "-i", machine_id, *volumes)
    assert detached.returncode == 0, detached.stderr
    assert detached.lines == [f"DETACHED {volume_id} from VM {machine_id} on {device}"
                              for volume_id, device in zip(volumes, devices)]
    assert described(cimi, volumes[0])["users"] == "0"
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    while described(cimi, volumes[1])["users"] != "0":
        assert time.monotonic() < deadline, "the last volume was never detached"
        time.sleep(0.2)
    assert_one_error_line(cimi("detach-volume", "-i", machine_id, volumes[0]),
                          f"DISK {volumes[0]}: not attached to machine {machine_id}")
    assert cimi("kill-instance", "--wait", machine_id).returncode == 0
    assert cimi("delete-volume", *volumes).returncode == 0


def test_a_volume_attached_elsewhere_is_refused_with_the_servers_reason(cimi):
    volume_id = create(cimi, "--size", "1", "--tag", "busy")
    first, _ = launch(cimi, "--persistent-disk", volume_id)
    second, _ = launch(cimi)
    refused = cimi("attach-volume", "-i", second, volume_id)
    assert_one_error_line(refused, "[ERROR] Service error: ", "already attached")
    assert cimi("kill-instance", "--wait", first, second).returncode == 0
    cimi("delete-volume", volume_id)
