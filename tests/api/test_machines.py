"""Machines: launch (by value, by reference, with overrides), read, edit, act, delete."""
import time

import pytest

from api_support import ACTION, CIMI, STATE_WAIT_SECONDS

KIB_PER_MB = 1024


def rels(document):
    return {operation["rel"] for operation in document.get("operations", [])}


def machine_id(href):
    return int(href.rsplit("/", 1)[1])


def test_launch_with_the_default_instance_type(cimi, launched, image_href, configuration_href,
                                               wait_for_state):
    result = launched()
    machine = result.document
    assert result.headers["Location"] == machine["id"]
    assert machine["resourceURI"] == CIMI + "Machine"
    assert machine["name"] == "test-machine"
    assert machine["state"] in ("CREATING", "STARTED")
    assert machine["machineImage"]["href"] == image_href
    assert machine["machineConfig"]["href"] == configuration_href("m1.small")
    assert (machine["cpu"], machine["memory"]) == (1, 128 * 1024)
    started = wait_for_state(machine["id"], "STARTED")
    assert started["host"] == "localhost"
    assert len(started["ipAddresses"]) == 1
    assert rels(started) == {"edit", "delete", ACTION + "stop", ACTION + "restart",
                             ACTION + "suspend", ACTION + "capture", ACTION + "snapshot"}


def test_disks_and_network_interfaces(cimi, launched, image_href, wait_for_state, backend):
    machine = wait_for_state(launched().document["id"], "STARTED")
    image = backend.gateway.image(int(image_href.rsplit("/", 1)[1]))
    disks = cimi.get(machine["disks"]["href"])
    assert disks.status == 200
    assert disks.document["resourceURI"] == CIMI + "MachineDiskCollection"
    boot, swap = disks.document["machineDisks"]
    assert boot["machineImage"]["href"] == image_href
    assert (boot["capacity"], boot["volatile"]) == (image.size_mb * KIB_PER_MB, False)
    assert (swap["capacity"], swap["format"], swap["volatile"]) == (1024 * KIB_PER_MB, "swap", True)
    assert swap["initialLocation"]
    assert cimi.get(swap["id"]).document == swap
    assert cimi.get(machine["disks"]["href"] + "/77").status == 404

    interfaces = cimi.get(machine["networkInterfaces"]["href"])
    assert interfaces.status == 200
    (nic,) = interfaces.document["machineNetworkInterfaces"]
    assert nic["ipAddresses"] == machine["ipAddresses"]
    assert nic["macAddress"].count(":") == 5
    assert nic["network"]["href"].startswith("http://localhost/cimi/networks/")
    assert cimi.get(nic["id"]).document == nic


def test_launch_with_an_instance_type_and_overrides(launched, machine_create, configuration_href,
                                                    cimi):
    body = machine_create(machineConfig={
        "href": configuration_href("m1.large"), "cpu": 3,
        "disks": [{"capacity": 2048 * KIB_PER_MB, "format": "swap"}]})
    machine = launched(body).document
    assert (machine["cpu"], machine["memory"]) == (3, 512 * KIB_PER_MB)
    assert machine["machineConfig"]["href"] == configuration_href("m1.large")
    disks = cimi.get(machine["disks"]["href"]).document["machineDisks"]
    assert [disk["capacity"] for disk in disks if disk["volatile"]] == [2048 * KIB_PER_MB]


def test_launch_with_a_configuration_by_value(launched, machine_create, cimi):
    body = machine_create(machineConfig={"cpu": 2, "memory": 64 * KIB_PER_MB})
    machine = launched(body).document
    assert (machine["cpu"], machine["memory"]) == (2, 64 * KIB_PER_MB)
    assert "machineConfig" not in machine
    disks = cimi.get(machine["disks"]["href"]).document["machineDisks"]
    assert not [disk for disk in disks if disk["volatile"]]


def test_launch_with_the_image_by_value(launched, machine_create, cimi, image_href):
    image = cimi.get(image_href).document
    body = machine_create()
    body["machineTemplate"]["machineImage"] = image
    assert launched(body).document["machineImage"]["href"] == image_href


def test_launch_stopped_then_start(cimi, launched, machine_create, wait_for_state):
    machine = launched(machine_create(initialState="STOPPED")).document
    assert machine["state"] == "STOPPED"
    assert rels(machine) == {"edit", "delete", ACTION + "start"}
    started = cimi.post(machine["id"], {"resourceURI": CIMI + "Action", "action": ACTION + "start"})
    assert started.status == 202
    wait_for_state(machine["id"], "STARTED")


def test_name_description_and_properties(cimi, launched, machine_create, backend):
    body = machine_create(name="web1")
    body["description"] = "front end"
    body["properties"] = {"role": "web", "tier": "1"}
    machine = launched(body).document
    assert (machine["description"], machine["properties"]) == ("front end", body["properties"])
    vm = backend.gateway.vm(machine_id(machine["id"]))
    assert vm.user_template["CIMI_DESCRIPTION"] == "front end"

    edited = cimi.put(machine["id"], {"resourceURI": CIMI + "Machine", "name": "web2",
                                      "description": "", "properties": {"role": "db"}})
    assert edited.status == 200
    assert edited.document["name"] == "web2"
    assert "description" not in edited.document
    assert edited.document["properties"] == {"role": "db"}
    assert cimi.get(machine["id"]).document["name"] == "web2"

    kept = cimi.put(machine["id"], {"resourceURI": CIMI + "Machine", "description": "again"})
    assert (kept.document["name"], kept.document["properties"]) == ("web2", {"role": "db"})


def test_a_machine_read_back_can_be_put_back(cimi, launched):
    machine = cimi.get(launched().document["id"]).document
    assert cimi.put(machine["id"], machine).status == 200


def test_cpu_and_memory_change_while_stopped_and_are_refused_while_running(
        cimi, launched, machine_create, wait_for_state):
    machine = {"resourceURI": CIMI + "Machine", "cpu": 2, "memory": 256 * 1024}
    stopped = launched(machine_create(initialState="STOPPED")).document["id"]
    wait_for_state(stopped, "STOPPED")
    resized = cimi.put(stopped, machine)
    assert resized.status == 200, resized.document
    assert (resized.document["cpu"], resized.document["memory"]) == (2, 256 * 1024)
    assert (cimi.get(stopped).document["cpu"], cimi.get(stopped).document["memory"]) == (
        2, 256 * 1024)

    running = launched().document["id"]
    before = wait_for_state(running, "STARTED")
    refused = cimi.put(running, {**machine, "name": "renamed"})
    assert refused.status == 409
    assert "only while it is STOPPED" in refused.document["message"]
    after = cimi.get(running).document
    assert (after["cpu"], after["memory"], after["name"]) == (
        before["cpu"], before["memory"], before["name"])
    unchanged = cimi.put(running, {"resourceURI": CIMI + "Machine", "cpu": before["cpu"]})
    assert unchanged.status == 200


def test_a_running_machine_read_alone_tells_its_cpu_usage(cimi, launched, wait_for_state,
                                                          collection_href):
    """OpenNebula monitors a running VM and keeps the record out of its pools: the Machine
    read alone carries `cpuUsage` once the first monitoring has come; a listed one never."""
    href = launched().document["id"]
    wait_for_state(href, "STARTED")
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    while "cpuUsage" not in (machine := cimi.get(href).document):
        assert time.monotonic() < deadline, "no monitoring of a running machine came"
        time.sleep(0.5)
    assert isinstance(machine["cpuUsage"], (int, float)) and machine["cpuUsage"] >= 0
    listed = cimi.get(collection_href("machines")).document["machines"]
    assert all("cpuUsage" not in member for member in listed)


def test_life_cycle_actions(cimi, launched, wait_for_state):
    href = launched().document["id"]
    wait_for_state(href, "STARTED")

    def act(name, **extra):
        return cimi.post(href, {"resourceURI": CIMI + "Action", "action": ACTION + name, **extra})

    assert act("stop").status == 202
    stopped = wait_for_state(href, "STOPPED")
    assert rels(stopped) == {"edit", "delete", ACTION + "start", ACTION + "capture",
                             ACTION + "snapshot"}
    assert act("start").status == 202
    wait_for_state(href, "STARTED")
    assert act("restart").status == 202
    wait_for_state(href, "STARTED")
    assert act("restart", force=True).status == 202
    wait_for_state(href, "STARTED")
    assert act("suspend").status == 202
    suspended = wait_for_state(href, "SUSPENDED")
    assert ACTION + "start" in rels(suspended)
    assert act("start").status == 202
    wait_for_state(href, "STARTED")
    assert act("stop", force=True).status == 202
    wait_for_state(href, "STOPPED")


def test_an_action_not_allowed_now_is_a_conflict(cimi, launched, wait_for_state):
    href = launched().document["id"]
    wait_for_state(href, "STARTED")
    result = cimi.post(href, {"resourceURI": CIMI + "Action", "action": ACTION + "start"})
    assert result.status == 409
    assert "STARTED" in result.document["message"]
    assert "cannot start" in result.document["message"]


@pytest.mark.parametrize("action", [ACTION + "pause", ACTION + "export", ACTION + "delete",
                                    "start", "http://example.com/action/start"])
def test_unknown_or_unsupported_actions_are_refused(cimi, launched, action):
    href = launched().document["id"]
    result = cimi.post(href, {"resourceURI": CIMI + "Action", "action": action})
    assert result.status == 400
    assert "action" in result.document["message"]


def test_delete_hides_the_machine(cimi, launched, collection_href, wait_for_state):
    href = launched().document["id"]
    wait_for_state(href, "STARTED")
    result = cimi.delete(href)
    assert result.status == 202
    wait_for_state(href, 404)
    listed = cimi.get(collection_href("machines")).document.get("machines", [])
    assert href not in {machine["id"] for machine in listed}
    assert cimi.get(href + "/disks").status == 404


def test_forced_delete_while_stopped(cimi, launched, machine_create, wait_for_state):
    href = launched(machine_create(initialState="STOPPED")).document["id"]
    assert cimi.delete(href, params={"force": "true"}).status == 202
    wait_for_state(href, 404)


def test_collection_lists_own_machines(cimi, launched, machine_create, collection_href):
    body = machine_create(name="described")
    body["description"] = "listed with its metadata"
    first = launched(body).document["id"]
    second = launched().document["id"]
    result = cimi.get(collection_href("machines"))
    assert result.status == 200
    listed = {machine["id"]: machine for machine in result.document["machines"]}
    assert {first, second} <= set(listed)
    assert listed[first]["description"] == "listed with its metadata"
    assert rels(result.document) == {"add"}
    assert result.document["count"] == len(result.document["machines"])


def test_machines_of_others_are_not_visible(cimi, launched, opennebula):
    href = launched().document["id"]
    result = cimi.as_user(opennebula.admin_session).get(href)
    assert result.status == 200          # oneadmin sees everything
    own = cimi.get(href.rsplit("/", 1)[0])
    assert href in {machine["id"] for machine in own.document["machines"]}


@pytest.mark.parametrize("suffix", ["abc", "-1", "1.5", "99999999999", "2147483648"])
def test_ids_that_are_not_opennebula_ids_are_404(cimi, collection_href, suffix):
    assert cimi.get(f"{collection_href('machines')}/{suffix}").status == 404


def test_unknown_machine_is_404(cimi, collection_href):
    href = f"{collection_href('machines')}/123456"
    assert cimi.get(href).status == 404
    assert cimi.delete(href).status == 404
    assert cimi.post(href, {"resourceURI": CIMI + "Action", "action": ACTION + "stop"}).status == 404


def test_pages_come_from_the_pool_in_its_order(cimi, launched, collection_href):
    # Ids, not whole documents: the machines are booting while the pages are read.
    def ids(document):
        return [machine["id"] for machine in document.get("machines", [])]

    for _ in range(4):
        launched()
    machines = collection_href("machines")
    whole = cimi.get(machines).document
    filtered = cimi.get(machines, params={"$filter": "name!='no such name'"}).document
    assert ids(filtered) == ids(whole)
    page = cimi.get(machines, params={"$first": "2", "$last": "3"}).document
    assert ids(page) == ids(whole)[1:3]
    assert page["count"] == whole["count"] == len(whole["machines"])
    single = cimi.get(machines, params={"$first": "4", "$last": "4"}).document
    assert ids(single) == ids(whole)[3:4]
    empty = cimi.get(machines, params={"$first": "3", "$last": "2"}).document
    assert (ids(empty), empty["count"]) == ([], whole["count"])


def test_expand_and_select(cimi, launched, collection_href, image_href):
    href = launched().document["id"]
    one = cimi.get(href, params={"$expand": "machineConfig,machineImage",
                                 "$select": "machineConfig,machineImage"}).document
    assert set(one) == {"resourceURI", "id", "machineConfig", "machineImage"}
    assert one["machineConfig"]["name"] == "m1.small"
    assert one["machineImage"]["name"] == "ttylinux"
    assert one["machineImage"]["href"] == image_href
    listed = cimi.get(collection_href("machines"),
                      params={"$expand": "machineImage", "$filter": "name='test-machine'"})
    assert all(member["machineImage"]["name"] == "ttylinux"
               for member in listed.document["machines"])


def test_partial_update_with_select(cimi, launched, machine_create):
    body = machine_create(name="partial")
    body["description"] = "to be cleared"
    body["properties"] = {"keep": "me"}
    href = launched(body).document["id"]
    put = {"resourceURI": CIMI + "Machine", "name": "ignored", "properties": {"new": "1"}}
    result = cimi.put(href, put, params={"$select": "description,properties"})
    assert result.status == 200
    assert result.document["name"] == "partial"
    assert "description" not in result.document
    assert result.document["properties"] == {"new": "1"}
    refused = cimi.put(href, {"resourceURI": CIMI + "Machine"}, params={"$select": "cpu"})
    assert refused.status == 400
    assert "cpu" in refused.document["message"]
