"""`$expand` on every collection, in JSON and XML: each reference to a resource of this
server that a GET answers is inlined with that resource's attributes;
other references stay as they are. A page costs the same OpenNebula calls whatever its size:
the machines and event logs its members refer to are read with one pool call, never one call
each, and with none when they are the page's own VMs (but the event log of a machine that was stopped, resumed or moved: oned's pool bodies
hold only a VM's last history record, and such a log is read whole on its own)."""
from collections import Counter

import pytest

from api_support import ACTION, CIMI
from query_support import ids, members_of, parametrize_collections, read, sub_collections

pytest_generate_tests = parametrize_collections


@pytest.fixture
def held_machine(launched, machine_create):
    return launched(machine_create(name="expanded", initialState="STOPPED")).document["id"]


def references(member):
    return {name: value["href"] for name, value in member.items()
            if isinstance(value, dict) and isinstance(value.get("href"), str)}


def check_expansion(cimi, href):
    plain = read(cimi, href)
    expanded = read(cimi, href, **{"$expand": "*"})
    assert ids(expanded) == ids(plain)
    checked = 0
    for before, after in zip(members_of(plain), members_of(expanded)):
        for name, target in references(before).items():
            answer = cimi.get(target)
            resource = answer.document if answer.status == 200 else None
            if resource is None or "count" in resource:
                assert after[name]["href"] == target
                continue
            assert after[name]["href"] == target
            assert after[name].get("id") == resource["id"] == target, name
            assert after[name].get("name") == resource.get("name")
            checked += 1
    return checked


def test_expand_inlines_references_on_every_collection(cimi, entry_point, held_machine,
                                                       collection_key):
    check_expansion(cimi, entry_point[collection_key]["href"])


def test_expand_inlines_references_of_a_machines_members(cimi, held_machine):
    hrefs = sub_collections(read(cimi, held_machine))
    inlined = sum(check_expansion(cimi, href) for href in hrefs)
    assert inlined, "a machine's disks or interfaces refer to an image or a network"


def test_only_the_named_reference_is_expanded(cimi, entry_point, held_machine):
    listing = read(cimi, entry_point["machines"]["href"], **{
        "$expand": "machineImage", "$filter": f"id='{held_machine}'"})
    (machine,) = members_of(listing)
    assert "name" in machine["machineImage"]
    assert set(machine["disks"]) == {"href"}


def test_a_single_resource_expands_as_its_collection_does(cimi, held_machine):
    for href in sub_collections(read(cimi, held_machine)):
        for member in members_of(read(cimi, href, **{"$expand": "*"})):
            alone = read(cimi, member["id"], **{"$expand": "*"})
            assert alone == member
            selected = read(cimi, member["id"], **{"$expand": "*", "$select": "name"})
            assert set(selected) <= {"resourceURI", "id", "name"}


def inlined(reference):
    """An expanded reference's attributes but its href (XML carries no resourceURI inside)."""
    return {name: value for name, value in reference.items()
            if name not in ("href", "resourceURI")}


def test_a_machines_event_log_expands(cimi, held_machine):
    machine = read(cimi, held_machine, **{"$expand": "eventLog"})
    log = read(cimi, machine["eventLog"]["href"])
    assert log["resourceURI"].endswith("/EventLog")
    assert inlined(machine["eventLog"]) == inlined(log)
    assert machine["eventLog"]["href"] == log["id"]
    listed = read(cimi, held_machine.rsplit("/", 1)[0], **{
        "$expand": "eventLog", "$filter": f"id='{held_machine}'"})
    (member,) = members_of(listed)
    assert inlined(member["eventLog"]) == inlined(log)


def test_a_jobs_target_and_affected_resources_expand(cimi, held_machine):
    started = cimi.post(held_machine, {"resourceURI": CIMI + "Action", "action": ACTION + "start"})
    assert started.status == 202, started.document
    job_href = started.headers["CIMI-Job-URI"]
    plain = read(cimi, job_href)
    job = read(cimi, job_href, **{"$expand": "targetResource,affectedResources"})
    machine = read(cimi, held_machine)
    assert job["targetResource"]["id"] == held_machine
    assert job["targetResource"]["name"] == machine["name"]
    assert [resource["id"] for resource in job["affectedResources"]] == [held_machine]
    assert [resource["name"] for resource in job["affectedResources"]] == [machine["name"]]
    assert plain["targetResource"] == {"href": held_machine}
    (listed,) = [member for member in members_of(read(
        cimi, job_href.rsplit("/", 1)[0], **{"$expand": "targetResource"}))
        if member["id"] == job_href]
    assert listed["targetResource"]["id"] == held_machine
    assert listed["affectedResources"] == [{"href": held_machine}]


# Collections whose members each refer to a machine or to its event log.
REFERRING_TO_MACHINES = {"machines": "eventLog", "eventLogs": "targetResource",
                         "addresses": "resource"}
# Those whose page reads the very VMs the references name: no VM is read again.
PAGE_OF_THE_VMS = {"machines", "eventLogs"}


def expanded_page_calls(cimi, calls, href, attribute):
    calls.clear()
    read(cimi, href, **{"$expand": attribute})
    return Counter(method for method, _ in calls)


def test_expanding_a_page_costs_the_same_calls_whatever_its_size(
        cimi, entry_point, launched, machine_create, calls):
    pages = [(entry_point[key]["href"], attribute)
             for key, attribute in REFERRING_TO_MACHINES.items()]
    for _ in range(2):
        launched(machine_create(name="expanded", initialState="STOPPED"))
    fewer = [expanded_page_calls(cimi, calls, *page) for page in pages]
    for _ in range(3):
        launched(machine_create(name="expanded", initialState="STOPPED"))
    more = [expanded_page_calls(cimi, calls, *page) for page in pages]
    assert more == fewer
    for key, counted in zip(REFERRING_TO_MACHINES, more):
        assert "vm.info" not in counted
        assert counted["vmpool.infoset"] == (0 if key in PAGE_OF_THE_VMS else 1), key


def test_expanding_everything_on_a_page_of_machines_costs_three_calls(
        cimi, entry_point, launched, machine_create, configuration_href, calls):
    """The page's window, one image pool and one document pool, whatever the page holds:
    its machines' event logs come from the page's own VMs, their disks, volumes and
    interfaces stay references."""
    machines = entry_point["machines"]["href"]
    images = ids(read(cimi, entry_point["machineImages"]["href"], **{
        "$filter": "name='ttylinux' or name='Ubuntu 24.04'"}))
    for image, size in zip(images * 2, ("m1.small", "m1.large", "m1.large", "m1.small")):
        body = machine_create(name="everything", initialState="STOPPED",
                              machineConfig={"href": configuration_href(size)})
        body["machineTemplate"]["machineImage"] = {"href": image}
        launched(body)
    calls.clear()
    listing = read(cimi, machines, **{"$expand": "*"})
    assert len(calls) <= 3, Counter(method for method, _ in calls)
    expanded = [member for member in members_of(listing) if member["name"] == "everything"]
    assert len(expanded) == 4
    for member in expanded:
        assert inlined(member["eventLog"]) == inlined(read(cimi, member["eventLog"]["href"]))
        assert inlined(member["machineConfig"]) == inlined(
            read(cimi, member["machineConfig"]["href"]))
        assert inlined(member["machineImage"]) == inlined(
            read(cimi, member["machineImage"]["href"]))
        assert set(member["disks"]) == {"href"}


def test_references_to_machines_expand_as_their_own_get_answers(cimi, entry_point, launched,
                                                                machine_create):
    for _ in range(3):
        launched(machine_create(name="expanded", initialState="STOPPED"))
    for key, attribute in REFERRING_TO_MACHINES.items():
        listing = read(cimi, entry_point[key]["href"], **{"$expand": attribute})
        expanded = [member[attribute] for member in members_of(listing)]
        assert len(expanded) >= 3, key
        for reference in expanded:
            assert inlined(reference) == inlined(read(cimi, reference["href"])), key


def test_the_event_log_of_a_machine_stopped_and_started_again_expands_whole(
        cimi, entry_point, launched, machine_create, wait_for_state):
    """Its second deployment adds a history record: the pool body holds the last one only."""
    machine = launched(machine_create(name="restarted")).document["id"]
    for action, state in (("stop", "STOPPED"), ("start", "STARTED")):
        wait_for_state(machine, "STARTED" if action == "stop" else "STOPPED")
        result = cimi.post(machine, {"resourceURI": CIMI + "Action", "action": ACTION + action})
        assert result.status == 202, result.document
    wait_for_state(machine, "STARTED")
    listing = read(cimi, entry_point["machines"]["href"], **{
        "$expand": "eventLog", "$filter": f"id='{machine}'"})
    (member,) = members_of(listing)
    log = read(cimi, member["eventLog"]["href"])
    assert inlined(member["eventLog"]) == inlined(log)
    assert log["summary"]["low"] >= 4, log["summary"]
    # Listed among the event logs too, it is the log its own GET reads.
    logs = read(cimi, entry_point["eventLogs"]["href"], **{"$filter": f"id='{log['id']}'"})
    (listed,) = members_of(logs)
    assert listed == log


@pytest.mark.parametrize("attribute, pool_call, single_call", [
    ("machineImage", "imagepool.info", "image.info"),
    ("machineConfig", "documentpool.info", "document.info"),
])
def test_the_images_and_configurations_of_a_page_come_from_one_pool_call(
        cimi, entry_point, launched, machine_create, configuration_href, calls, attribute,
        pool_call, single_call):
    machine_images = read(cimi, entry_point["machineImages"]["href"], **{
        "$filter": "name='ttylinux' or name='Ubuntu 24.04'"})
    image_hrefs = ids(machine_images)
    configurations = [configuration_href("m1.small"), configuration_href("m1.large")]
    assert len(image_hrefs) == 2
    for image, configuration in zip(image_hrefs, configurations):
        body = machine_create(name="referring", initialState="STOPPED",
                              machineConfig={"href": configuration})
        body["machineTemplate"]["machineImage"] = {"href": image}
        launched(body)
    calls.clear()
    listing = read(cimi, entry_point["machines"]["href"], **{"$expand": attribute})
    counted = Counter(method for method, _ in calls)
    assert counted[pool_call] == 1 and single_call not in counted, counted
    expanded = {member[attribute]["href"]: member[attribute]
                for member in members_of(listing)}
    wanted = image_hrefs if attribute == "machineImage" else configurations
    assert set(wanted) <= set(expanded)
    for href in wanted:
        assert inlined(expanded[href]) == inlined(read(cimi, href))


def test_a_machine_read_alone_expands_its_sub_collections(cimi, held_machine):
    """`machines/N?$expand=volumes` (or `*`) inlines the sub-collection a GET of its href
    gives; on a page of machines they stay references, so a page's cost stays bounded."""
    machine = read(cimi, held_machine)
    for attribute in ("disks", "volumes", "networkInterfaces"):
        alone = read(cimi, held_machine, **{"$expand": attribute})[attribute]
        listed = read(cimi, machine[attribute]["href"])
        assert alone["href"] == machine[attribute]["href"]
        assert inlined(alone) == inlined(listed), attribute
    everything = read(cimi, held_machine, **{"$expand": "*"})
    assert all("count" in everything[attribute]
               for attribute in ("disks", "volumes", "networkInterfaces"))
    page = read(cimi, machine["id"].rsplit("/", 1)[0], **{"$expand": "*"})
    assert all(set(member["disks"]) == {"href"} for member in members_of(page))
