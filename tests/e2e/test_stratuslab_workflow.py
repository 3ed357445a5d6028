"""The StratusLab user guide's machine life-cycle, over HTTP against gunicorn and onesim,
following hrefs from the Cloud Entry Point only: find an image, launch it with m1.small, read
its address, stop, start, restart, kill."""
import time

from http_cimi import HttpCimiClient
from support.lanes import STATE_WAIT_SECONDS

CIMI = "http://schemas.dmtf.org/cimi/1/"
ACTION = CIMI + "action/"


def wait_for(client, href, state):
    """Poll until the machine is in `state` (or, for 404, gone); bounded as a hang guard."""
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    while True:
        status, document, _ = client.get(href)
        current = document["state"] if status == 200 else status
        if current == state:
            return document
        assert time.monotonic() < deadline, f"{href} stayed {current}, never {state}"
        time.sleep(0.1)


def operation_href(document, rel):
    (href,) = [operation["href"] for operation in document["operations"] if operation["rel"] == rel]
    return href


def act(client, machine, action):
    href = operation_href(machine, ACTION + action)
    status, _, _ = client.post(href, {"resourceURI": CIMI + "Action", "action": ACTION + action})
    assert status == 202


def test_machine_life_cycle(http_cimi, server_url):
    status, entry_point, _ = http_cimi.get(server_url)
    assert status == 200

    status, images, _ = http_cimi.get(entry_point["machineImages"]["href"],
                                      params={"$filter": "name='ttylinux'"})
    assert status == 200
    (image,) = images["machineImages"]
    status, configurations, _ = http_cimi.get(entry_point["machineConfigs"]["href"])
    assert status == 200
    by_name = {member["name"]: member for member in configurations["machineConfigurations"]}
    assert {"t1.micro", "m1.small", "c1.medium", "m1.large", "m1.xlarge", "c1.xlarge"} <= set(by_name)

    machines_href = entry_point["machines"]["href"]
    create = {"resourceURI": CIMI + "MachineCreate", "name": "ttylinux-e2e",
              "machineTemplate": {"machineConfig": {"href": by_name["m1.small"]["id"]},
                                  "machineImage": {"href": image["id"]}}}
    status, machine, headers = http_cimi.post(machines_href, create)
    assert status == 201
    href = headers["Location"]
    assert machine["id"] == href

    machine = wait_for(http_cimi, href, "STARTED")
    assert (machine["cpu"], machine["memory"]) == (1, 128 * 1024)
    assert machine["ipAddresses"][0].count(".") == 3
    assert machine["host"]

    act(http_cimi, machine, "stop")
    machine = wait_for(http_cimi, href, "STOPPED")
    act(http_cimi, machine, "start")
    machine = wait_for(http_cimi, href, "STARTED")
    act(http_cimi, machine, "restart")
    machine = wait_for(http_cimi, href, "STARTED")

    status, _, _ = http_cimi.delete(operation_href(machine, "delete"))
    assert status == 202
    wait_for(http_cimi, href, 404)
    status, listed, _ = http_cimi.get(machines_href)
    assert href not in {member["id"] for member in listed.get("machines", [])}


def test_wrong_password_is_refused(fmt, installed, server_url):
    status, error, headers = HttpCimiClient(fmt, "demo:wrong").get(
        server_url.replace("cloudEntryPoint", "machines"))
    assert status == 401
    assert error["status"] == 401
    assert headers["WWW-Authenticate"].startswith("Basic")
