"""The StratusLab user guide's storage chapter over HTTP against gunicorn and onesim, following
hrefs from the Cloud Entry Point only: private and public volumes seen by their owner and by a
second user, a volume attached at launch that outlives its machine, hot-plugged volumes, a
detach of what is not attached, another user's refused delete, a read-only volume shared by
two machines, a volatile disk that goes with its machine, and the volumes deleted."""

import pytest

from http_cimi import HttpCimiClient
from test_stratuslab_workflow import CIMI, wait_for

GIB_KIB = 1024 * 1024


@pytest.fixture
def second_user(fmt, installed):
    """Another OpenNebula user, created with oneadmin's session, and a client acting as it."""
    return HttpCimiClient(fmt, installed.user_session("storage-second"))


@pytest.fixture
def cloud(http_cimi, server_url):
    status, entry_point, _ = http_cimi.get(server_url)
    assert status == 200
    return entry_point


class Storage:
    """The guide's commands as CIMI requests of one user."""

    def __init__(self, client, entry_point, fmt):
        self.client, self.entry_point, self.fmt = client, entry_point, fmt
        status, images, _ = client.get(entry_point["machineImages"]["href"],
                                       params={"$filter": "name='ttylinux'"})
        assert status == 200
        (self.image,) = images["machineImages"]
        status, configurations, _ = client.get(entry_point["machineConfigs"]["href"],
                                               params={"$filter": "name='m1.small'"})
        (self.small,) = configurations["machineConfigurations"]

    def create_volume(self, tag, gib, **attributes):
        body = {"resourceURI": CIMI + "VolumeCreate", "name": f"{tag}-{self.fmt}", **attributes,
                "volumeTemplate": {"volumeConfig": {"capacity": gib * GIB_KIB}}}
        status, volume, headers = self.client.post(self.entry_point["volumes"]["href"], body)
        assert status == 201, volume
        assert headers["Location"] == volume["id"]
        return wait_for(self.client, volume["id"], "AVAILABLE")

    def volumes(self, client=None):
        status, listed, _ = (client or self.client).get(self.entry_point["volumes"]["href"])
        assert status == 200
        return {member["id"]: member for member in listed.get("volumes", [])}

    def run_instance(self, name, **template):
        body = {"resourceURI": CIMI + "MachineCreate", "name": f"{name}-{self.fmt}",
                "machineTemplate": {"machineConfig": {"href": self.small["id"]},
                                    "machineImage": {"href": self.image["id"]}, **template}}
        status, machine, headers = self.client.post(self.entry_point["machines"]["href"], body)
        assert status == 201, machine
        return wait_for(self.client, headers["Location"], "STARTED")

    def attached(self, machine):
        status, listed, _ = self.client.get(machine["volumes"]["href"])
        assert status == 200
        return listed.get("machineVolumes", [])

    def attach(self, machine, volume, **attributes):
        body = {"resourceURI": CIMI + "MachineVolume", "volume": {"href": volume["id"]},
                **attributes}
        status, attachment, headers = self.client.post(machine["volumes"]["href"], body)
        assert status == 202, attachment
        assert headers["Location"] == attachment["id"]
        # The machine stays STARTED while OpenNebula hot-plugs: its Job says when it is done.
        wait_for(self.client, headers["CIMI-Job-URI"], "SUCCESS")
        return attachment

    def kill(self, machine):
        status, _, _ = self.client.delete(machine["id"])
        assert status == 202
        wait_for(self.client, machine["id"], 404)


def test_the_storage_chapter(fmt, http_cimi, cloud, second_user):
    guide = Storage(http_cimi, cloud, fmt)

    # 7.1 Create persistent disks: a private 5 GiB one and a public one.
    private = guide.create_volume("myprivate-disk", 5)
    public = guide.create_volume("mypublic-disk", 5, visibility="public")
    assert (private["visibility"], private["capacity"]) == ("private", 5 * GIB_KIB)
    assert public["visibility"] == "public"

    # 7.2 List them: the owner sees both, the second user only the public one.
    mine = guide.volumes()
    assert {private["id"], public["id"]} <= set(mine)
    assert (mine[private["id"]]["owner"], mine[private["id"]]["users"]) == (http_cimi.user, 0)
    theirs = guide.volumes(second_user)
    assert public["id"] in theirs and private["id"] not in theirs

    # 7.3 Launch a machine with the private disk, kill it, launch another with it.
    first = guide.run_instance("with-disk", volumes=[{"volume": {"href": private["id"]}}])
    (attachment,) = guide.attached(first)
    assert attachment["volume"]["href"] == private["id"] and attachment["initialLocation"]
    assert wait_for(http_cimi, private["id"], "IN_USE")["users"] == 1
    guide.kill(first)
    assert wait_for(http_cimi, private["id"], "AVAILABLE")["users"] == 0
    second = guide.run_instance("with-disk-again", volumes=[{"volume": {"href": private["id"]}}])
    assert [item["volume"]["href"] for item in guide.attached(second)] == [private["id"]]

    # 7.4 Hot-plug two disks into the running machine, then detach them.
    hot = [guide.create_volume(f"hot-{number}", 1) for number in (1, 2)]
    plugged = [guide.attach(second, volume) for volume in hot]
    devices = {item["initialLocation"] for item in plugged}
    assert len(devices) == 2 and attachment["initialLocation"] not in devices
    assert len(guide.attached(second)) == 3
    for item in plugged:
        status, _, headers = http_cimi.delete(item["id"])
        assert status == 202
        wait_for(http_cimi, headers["CIMI-Job-URI"], "SUCCESS")
    assert [item["volume"]["href"] for item in guide.attached(second)] == [private["id"]]

    # Detaching a disk that is not attached is an error that says so.
    status, error, _ = http_cimi.delete(plugged[0]["id"])
    assert status == 404
    assert "has no volume attached" in error["message"]

    # 7.5 The second user cannot delete the first user's public disk; it stays.
    status, error, _ = second_user.delete(public["id"])
    assert status == 403
    assert "only its owner can delete it" in error["message"]
    assert http_cimi.get(public["id"])[0] == 200

    # 7.6 A read-only data volume used by two machines at once.
    dataset = guide.create_volume("dataset", 1, shareable=True)
    readers = [guide.run_instance(f"reader-{number}", volumes=[
        {"volume": {"href": dataset["id"]}, "readOnly": True}]) for number in (1, 2)]
    for reader in readers:
        (shared,) = guide.attached(reader)
        assert shared["readOnly"] is True
    assert http_cimi.get(dataset["id"])[1]["users"] == 2

    # 7.7 Volatile storage: a scratch disk that is no volume and goes with its machine.
    scratch = guide.run_instance("scratch", machineConfig={
        "href": guide.small["id"], "disks": [{"capacity": GIB_KIB, "format": "raw"}]})
    status, disks, _ = http_cimi.get(scratch["disks"]["href"])
    volatile = [disk for disk in disks["machineDisks"] if disk.get("volatile")]
    assert [(disk["capacity"], disk["format"]) for disk in volatile] == [(GIB_KIB, "raw")]
    assert guide.attached(scratch) == []
    volumes_before = set(guide.volumes())
    guide.kill(scratch)
    assert http_cimi.get(scratch["disks"]["href"])[0] == 404
    assert set(guide.volumes()) == volumes_before

    # Killing the machines keeps every persistent disk; then the disks are deleted.
    for machine in [second, *readers]:
        guide.kill(machine)
    for volume in [private, public, dataset, *hot]:
        assert wait_for(http_cimi, volume["id"], "AVAILABLE")["users"] == 0
        status, _, headers = http_cimi.delete(volume["id"])
        assert status == 202 and headers["CIMI-Job-URI"]
        wait_for(http_cimi, volume["id"], 404)
