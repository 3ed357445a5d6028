"""Snapshots: the Machine snapshot and restore actions (system snapshots while STARTED, disk
snapshots while STOPPED or SUSPENDED) and a machine's snapshots listed as SNAPSHOT images."""
import time

import pytest

from app.one.documents import JOB

from api_support import ACTION, CIMI, STATE_WAIT_SECONDS


def action(name, **inputs):
    return {"resourceURI": CIMI + "Action", "action": ACTION + name, **inputs}


def rels(document):
    return {operation["rel"] for operation in document.get("operations", [])}


@pytest.fixture
def offering(cimi):
    """Poll a machine until it offers `rel` (a snapshot's hot-plug state shows as STARTED
    too, but only the settled machine can restore); the bound is a hang guard."""
    def wait(href, rel):
        deadline = time.monotonic() + STATE_WAIT_SECONDS
        while rel not in rels(document := cimi.get(href).document):
            assert time.monotonic() < deadline, f"{href} never offered {rel}"
            time.sleep(0.05)
        return document
    return wait


def test_snapshot_and_restore_a_running_machine(cimi, started_machine, wait_for_state, offering):
    assert ACTION + "restore" not in rels(cimi.get(started_machine).document)   # nothing to restore
    result = cimi.post(started_machine, action("snapshot", image={"name": "before-upgrade"}))
    assert result.status == 202, result.document
    snapshot_href = result.headers["Location"]
    assert snapshot_href == f"{started_machine}/snapshots/system-0"
    # Once the machine has settled: a snapshot offers delete only then, so a listing read
    # during the hot-plug and a GET read after it would differ in their operations.
    assert offering(started_machine, ACTION + "restore")["state"] == "STARTED"

    listed = cimi.get(f"{started_machine}/snapshots")
    assert listed.status == 200
    assert listed.document["resourceURI"] == CIMI + "MachineImageCollection"
    (snapshot,) = listed.document["machineImages"]
    assert snapshot == cimi.get(snapshot_href).document
    assert snapshot["id"] == snapshot_href
    assert (snapshot["name"], snapshot["type"], snapshot["state"]) == (
        "before-upgrade", "SNAPSHOT", "AVAILABLE")
    assert snapshot["imageLocation"] == {"href": started_machine}
    assert rels(snapshot) == {"delete"}

    result = cimi.post(started_machine, action("restore", image={"href": snapshot_href}))
    assert result.status == 202, result.document
    wait_for_state(started_machine, "STARTED")


def test_snapshot_and_restore_a_stopped_machine(cimi, started_machine, wait_for_state, offering,
                                                backend):
    assert cimi.post(started_machine, action("snapshot")).status == 202
    system_snapshot = f"{started_machine}/snapshots/system-0"
    offering(started_machine, ACTION + "restore")
    assert cimi.post(started_machine, action("stop")).status == 202
    stopped = wait_for_state(started_machine, "STOPPED")
    assert ACTION + "restore" not in rels(stopped)       # a system snapshot needs STARTED
    # Whether system snapshots outlive a poweroff is the hypervisor driver's choice
    # (KEEP_SNAPSHOTS in oned.conf): the machine lists what OpenNebula still has.
    kept = bool(backend.gateway.vm(int(started_machine.rsplit("/", 1)[1])).snapshots)

    result = cimi.post(started_machine, action("snapshot", image={"name": "cold"}))
    assert result.status == 202, result.document
    disk_snapshot = result.headers["Location"]
    assert disk_snapshot == f"{started_machine}/snapshots/disk-0-0"
    assert offering(started_machine, ACTION + "restore")["state"] == "STOPPED"
    listed = cimi.get(f"{started_machine}/snapshots").document["machineImages"]
    assert [snapshot["id"] for snapshot in listed] == [system_snapshot] * kept + [disk_snapshot]
    assert listed[-1]["size"] > 0

    refused = cimi.post(started_machine, action("restore", image={"href": system_snapshot}))
    if kept:
        assert refused.status == 409
        assert "only while the machine is STARTED" in refused.document["message"]
    else:
        assert refused.status == 400
        assert "has no snapshot system-0" in refused.document["message"]
    result = cimi.post(started_machine, action("restore", image={"href": disk_snapshot}))
    assert result.status == 202, result.document
    offering(started_machine, ACTION + "start")

    assert cimi.post(started_machine, action("start")).status == 202
    started = wait_for_state(started_machine, "STARTED")
    if kept:
        offering(started_machine, ACTION + "restore")
    else:
        assert ACTION + "restore" not in rels(started)    # no system snapshot left
    refused = cimi.post(started_machine, action("restore", image={"href": disk_snapshot}))
    assert refused.status == 409
    assert "only while the machine is STOPPED" in refused.document["message"]


def test_snapshot_where_opennebula_refuses_it_is_a_conflict(cimi, launched, machine_create):
    held = launched(machine_create(initialState="STOPPED")).document["id"]
    result = cimi.post(held, action("snapshot"))
    assert result.status == 409
    assert "cannot snapshot" in result.document["message"]
    assert cimi.get(f"{held}/snapshots").document["count"] == 0


@pytest.mark.parametrize("image, message", [
    (None, "restore needs image.href"),
    ({"name": "x"}, "restore needs image.href"),
    ({"href": "http://elsewhere.example.org/cimi/machines/1/snapshots/system-0"}, "image.href"),
    ({"href": "machineImages/0"}, "image.href"),
    ({"href": "SELF/snapshots/system-7"}, "has no snapshot system-7"),
    ({"href": "SELF/snapshots/anything"}, "image.href"),
])
def test_bad_restores_are_refused(cimi, started_machine, offering, image, message):
    assert cimi.post(started_machine, action("snapshot")).status == 202
    offering(started_machine, ACTION + "restore")
    inputs = {} if image is None else {"image": {
        key: value.replace("SELF", started_machine) for key, value in image.items()}}
    result = cimi.post(started_machine, action("restore", **inputs))
    assert result.status == 400
    assert message in result.document["message"]


def test_restore_with_another_machines_snapshot_is_refused(cimi, launched, wait_for_state):
    first, second = (launched().document["id"] for _ in range(2))
    for machine in (first, second):
        wait_for_state(machine, "STARTED")
    assert cimi.post(first, action("snapshot")).status == 202
    result = cimi.post(second, action("restore", image={"href": f"{first}/snapshots/system-0"}))
    assert result.status == 400
    assert "image.href must name one of machine" in result.document["message"]


def test_a_snapshot_keeps_a_name_only(cimi, started_machine, backend):
    result = cimi.post(started_machine, action("snapshot", image={"description": "lost"}))
    assert result.status == 400
    assert "name only" in result.document["message"]
    vm = backend.gateway.vm(int(started_machine.rsplit("/", 1)[1]))
    assert vm.snapshots == () and vm.disk_snapshots == ()


def test_an_input_an_action_does_not_take_is_refused_not_dropped(cimi, started_machine, backend):
    """`machineImage` is not the snapshot's input (`image` is): ignoring it would take a
    snapshot without the name the client asked for."""
    result = cimi.post(started_machine, action("snapshot", machineImage={"name": "lost"}))
    assert result.status == 400
    assert "machineImage" in result.document["message"]
    assert "An Action takes no such input" in result.document["message"]
    vm = backend.gateway.vm(int(started_machine.rsplit("/", 1)[1]))
    assert vm.snapshots == () and vm.disk_snapshots == ()


def test_unknown_snapshots_and_machines_are_404(cimi, started_machine, collection_href):
    assert cimi.get(f"{started_machine}/snapshots/system-3").status == 404
    assert cimi.get(f"{started_machine}/snapshots/nonsense").status == 404
    assert cimi.get(collection_href("machines") + "/987654/snapshots").status == 404


def test_delete_a_snapshot(cimi, started_machine, offering, wait_for_state, wait_for_job):
    assert cimi.post(started_machine, action("snapshot")).status == 202
    offering(started_machine, ACTION + "restore")
    href = f"{started_machine}/snapshots/system-0"
    current = cimi.get(href)
    assert rels(current.document) == {"delete"}
    stale = cimi.delete(href, headers={"If-Match": '"not-the-current-tag"'})
    assert stale.status == 412, stale.document
    assert cimi.get(href).status == 200
    deleted = cimi.delete(href, headers={"If-Match": current.headers["ETag"]})
    assert deleted.status == 202
    # oned removes the snapshot once the driver has: the Job follows it there.
    assert wait_for_job(deleted.headers["CIMI-Job-URI"])["state"] == "SUCCESS"
    assert cimi.get(href).status == 404
    assert cimi.delete(href).status == 404


def test_the_snapshot_a_disk_is_based_on_cannot_be_deleted(cimi, started_machine, offering,
                                                          wait_for_state):
    assert cimi.post(started_machine, action("stop")).status == 202
    wait_for_state(started_machine, "STOPPED")
    assert cimi.post(started_machine, action("snapshot")).status == 202
    offering(started_machine, ACTION + "restore")
    href = f"{started_machine}/snapshots/disk-0-0"
    assert "operations" not in cimi.get(href).document
    result = cimi.delete(href)
    assert result.status == 409
    assert "cannot be deleted now" in result.document["message"]
    assert cimi.get(href).status == 200


def deleted_job(cimi, href):
    result = cimi.delete(href)
    assert result.status == 202, result.document
    return result.headers["CIMI-Job-URI"]


def older_disk_snapshot(cimi, machine, wait_for_state, wait_for_job):
    """Stop the machine and take two disk snapshots; the href of the first, which the disk
    is no longer based on."""
    assert cimi.post(machine, action("stop")).status == 202
    wait_for_state(machine, "STOPPED")
    first = cimi.post(machine, action("snapshot"))
    wait_for_job(first.headers["CIMI-Job-URI"])
    wait_for_job(cimi.post(machine, action("snapshot")).headers["CIMI-Job-URI"])
    return first.headers["Location"]


def test_a_system_snapshot_delete_answers_a_job_that_resolves(cimi, started_machine,
                                                              wait_for_job):
    taken = cimi.post(started_machine, action("snapshot"))
    href = taken.headers["Location"]
    wait_for_job(taken.headers["CIMI-Job-URI"])
    job = wait_for_job(deleted_job(cimi, href))
    assert (job["state"], job["action"], job["returnCode"]) == ("SUCCESS", "delete", 0)
    assert job["targetResource"] == {"href": href}
    assert job["affectedResources"] == [{"href": href}, {"href": started_machine}]
    assert "RUNNING" in job["statusMessage"]
    assert cimi.get(href).status == 404
    assert cimi.get(started_machine).document["state"] == "STARTED"


def test_a_disk_snapshot_delete_answers_a_job_that_resolves_with_the_machine_stopped(
        cimi, started_machine, wait_for_state, wait_for_job):
    first = older_disk_snapshot(cimi, started_machine, wait_for_state, wait_for_job)
    job = wait_for_job(deleted_job(cimi, first))
    assert (job["state"], job["returnCode"]) == ("SUCCESS", 0)
    assert "POWEROFF" in job["statusMessage"]
    assert cimi.get(first).status == 404
    assert cimi.get(started_machine).document["state"] == "STOPPED"


def test_a_snapshot_delete_job_fails_when_the_snapshot_is_back_when_it_ends(
        cimi, started_machine, offering, wait_for_job):
    # OpenNebula numbers system snapshots from the highest left, so a new one takes the id
    # of the one just deleted: the delete's Job, read only now, finds that id taken.
    taken = cimi.post(started_machine, action("snapshot"))
    wait_for_job(taken.headers["CIMI-Job-URI"])
    job_href = deleted_job(cimi, taken.headers["Location"])
    offering(started_machine, ACTION + "snapshot")
    again = cimi.post(started_machine, action("snapshot"))
    assert again.headers["Location"] == taken.headers["Location"]
    wait_for_job(again.headers["CIMI-Job-URI"])
    job = wait_for_job(job_href)
    assert (job["state"], job["returnCode"]) == ("FAILED", 1)
    assert "system-0 still exists" in job["statusMessage"]


def test_a_snapshot_delete_job_fails_when_the_machine_ends_in_another_state(
        cimi, started_machine, offering, wait_for_state, wait_for_job):
    first = older_disk_snapshot(cimi, started_machine, wait_for_state, wait_for_job)
    job_href = deleted_job(cimi, first)
    offering(started_machine, ACTION + "start")
    wait_for_job(cimi.post(started_machine, action("start")).headers["CIMI-Job-URI"])
    job = wait_for_job(job_href)
    assert job["state"] == "FAILED"
    assert "RUNNING but it was POWEROFF before" in job["statusMessage"]


def test_a_refused_snapshot_delete_leaves_no_job(cimi, started_machine, wait_for_job, backend,
                                                 onesim_server):
    taken = cimi.post(started_machine, action("snapshot"))
    wait_for_job(taken.headers["CIMI-Job-URI"])
    before = backend.owned_ids(backend.gateway.document_page(JOB).items)
    onesim_server.fail_next("one.vm.snapshotdelete")
    try:
        assert cimi.delete(taken.headers["Location"]).status >= 500
    finally:
        onesim_server.clear_faults()
    assert backend.owned_ids(backend.gateway.document_page(JOB).items) == before
    assert cimi.get(taken.headers["Location"]).status == 200
