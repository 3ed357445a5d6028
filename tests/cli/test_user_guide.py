"""The StratusLab user guide's chapters 3 to 8, in order, as a user types them with `cimi`
(its stratus-* commands renamed): quick start, configuration, a machine's life cycle,
persistent, hot-plugged, read-only and volatile disks, images and cloud-init. Each step
checks what the guide says the user sees; nothing is left behind at the end."""
import re
import time

from cli_support import fake_ssh
from support.lanes import STATE_WAIT_SECONDS

RUN_LINE = re.compile(r"^(\d+), (\d+\.\d+\.\d+\.\d+)$")
DISK_LINE = re.compile(r"^DISK (\d+)$")


class Guide:
    """The user at the terminal: runs commands, keeps what they created."""

    def __init__(self, cimi, home):
        self.cimi, self.home = cimi, home
        self.machines, self.volumes = [], []

    def ok(self, *arguments, **options):
        result = self.cimi(*arguments, **options)
        assert result.returncode == 0, (arguments, result.stdout, result.stderr)
        return result

    def run_instance(self, *arguments):
        result = self.ok("run-instance", "-q", "--wait", *arguments)
        machine_id, address = RUN_LINE.match(result.lines[0]).groups()
        self.machines.append(machine_id)
        return machine_id, address

    def create_volume(self, *arguments):
        volume_id = DISK_LINE.match(self.ok("create-volume", *arguments).stdout.strip()).group(1)
        self.volumes.append(volume_id)
        return volume_id

    def volume(self, volume_id):
        head, *fields = self.ok("describe-volumes", volume_id).lines
        assert head == f":: DISK {volume_id}"
        return dict(line.strip().split(": ", 1) for line in fields)

    def until_users(self, volume_id, users):
        deadline = time.monotonic() + STATE_WAIT_SECONDS
        while self.volume(volume_id)["users"] != users:
            assert time.monotonic() < deadline, f"DISK {volume_id} never had {users} users"
            time.sleep(0.2)

    def kill(self, *machine_ids):
        self.ok("kill-instance", "--wait", *machine_ids)
        for machine_id in machine_ids:
            self.machines.remove(machine_id)

    def clean_up(self):
        if self.machines:
            self.cimi("kill-instance", "--wait", *self.machines)
        if self.volumes:
            self.cimi("delete-volume", "--wait", *self.volumes)


def test_chapters_3_to_8_as_the_guide_has_them(cimi, home, cloud):
    guide = Guide(cimi, home)
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa.pub").write_text(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB5R3vJxKZ2d8KcRmHkQWm6LkqYq0fQHq3gq0dVh1wzN "
        "user@guide\n")
    try:
        # 3.3-3.4: configure, then a first machine and a first persistent disk.
        assert "cimi.cfg" in guide.ok("copy-config").stdout
        machine_id, address = guide.run_instance("ttylinux")
        assert machine_id in guide.ok("describe-instance").stdout
        # 4.3: options before the command as well as after it.
        assert guide.ok("--format", "xml", "-q", "describe-instance", machine_id).lines == [
            machine_id]
        guide.kill(machine_id)
        scratch = guide.create_volume("--size", "1", "--tag", "quick-start")
        assert guide.volume(scratch)["size"] == "1"

        # 6.2: find the image, start, check, connect, terminate.
        assert guide.ok("describe-images", "-q", "--filter", "name='ttylinux'").lines
        machine_id, address = guide.run_instance("ttylinux", "--type", "m1.small")
        connected = guide.ok("connect-instance", machine_id, path=fake_ssh(home))
        assert f"root@{address}" in connected.stdout

        # 7.3-7.5: a persistent disk at launch, hot-plug two more, detach both, delete.
        guide.kill(machine_id)
        data = guide.create_volume("--size", "1", "--tag", "data")
        machine_id, _ = guide.run_instance("ttylinux", "--persistent-disk", data)
        assert guide.volume(data)["users"] == "1"
        hot = [guide.create_volume("--size", "1", "--tag", f"hot-{n}") for n in (1, 2)]
        attached = guide.ok("attach-volume", "-i", machine_id, *hot)
        assert [line.split()[1] for line in attached.lines] == hot
        detached = guide.ok("detach-volume", "-i", machine_id, *hot)
        assert [line.split()[1] for line in detached.lines] == hot
        guide.until_users(hot[-1], "0")
        guide.kill(machine_id)
        guide.ok("delete-volume", "--wait", *hot, scratch)
        for volume_id in (*hot, scratch):
            guide.volumes.remove(volume_id)

        # 7.6: a read-only data image from a web server, on two machines at once.
        dataset = guide.create_volume("--location", "https://data.example.org/ff.iso.gz",
                                      "--tag", "flora-fauna", "--shareable")
        readers = [guide.run_instance("ttylinux", "--readonly-disk", dataset)[0]
                   for _ in range(2)]
        assert guide.volume(dataset)["users"] == "2"
        guide.kill(*readers)

        # 7.7: a volatile disk, gone with its machine.
        machine_id, _ = guide.run_instance("ttylinux", "--volatile-disk", "2")
        disks = guide.ok("describe-instance", "-vv", machine_id).stdout
        assert '"capacity": 2097152' in disks
        guide.kill(machine_id)

        # 8.2 and 8.4: a machine saved as a new image at shutdown, with cloud-init as the
        # guide writes it (quoted, $HOME expanded by cimi).
        (home / "setup.sh").write_text("#!/bin/sh\necho ready\n")
        machine_id, _ = guide.run_instance(
            "ttylinux", "--save", "--cloud-init", "ssh,$HOME/.ssh/id_rsa.pub#x-shellscript,setup.sh")
        saved = guide.ok("shutdown-instance", "--wait", "--image-name", "guide-saved", machine_id)
        image_id = re.search(r"CAPTURED \d+ as image (\d+)", saved.stdout).group(1)
        assert guide.ok("describe-images", "-q", "--filter", "name='guide-saved'").lines == [
            image_id]
        guide.kill(machine_id)
        client = cloud.client()
        (image,) = client.members("machineImages", {"$filter": "name='guide-saved'"})
        client.wait_for_state(image["id"], {"AVAILABLE"}, STATE_WAIT_SECONDS)
        client.settle(client.delete(image), STATE_WAIT_SECONDS, {"GONE"}, image["id"])
    finally:
        guide.clean_up()
