"""A machine that waits or has failed says why, in JSON and XML: on the Machine
(`statusMessage`, declared in its ResourceMetadata), in its EventLog and in the statusMessage
of a Job on it. The reasons are OpenNebula's own: the scheduler's SCHED_MESSAGE for a machine
no host can take, the state and the driver's ERROR for a failed one."""
import time

from api_support import ACTION, CIMI, STATE_WAIT_SECONDS

KIB_PER_GIB = 1024 * 1024
# More memory than any host of the test clouds has (onesim's and the real oned's dummy host
# have 16 GiB), so the scheduler cannot place the machine.
TOO_MUCH_MEMORY = 64 * KIB_PER_GIB
WAITING = "Waiting to be scheduled: "


def act(cimi, href, name):
    return cimi.post(href, {"resourceURI": CIMI + "Action", "action": ACTION + name})


def polled(cimi, href, holds, what):
    """The document at `href` once `holds(document)`; the bound is a hang guard."""
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    while True:
        document = cimi.get(href).document
        if holds(document):
            return document
        assert time.monotonic() < deadline, f"{href} never {what}: {document}"
        time.sleep(0.1)


def has_scheduler_message(document):
    return document.get("statusMessage", "").startswith(WAITING)


def test_a_machine_no_host_can_take_says_why_everywhere(cimi, launched, machine_create):
    body = machine_create("too-big", initialState="STOPPED",
                          machineConfig={"cpu": 1, "memory": TOO_MUCH_MEMORY})
    href = launched(body).document["id"]
    assert "statusMessage" not in cimi.get(href).document          # held: nothing to explain
    job_href = act(cimi, href, "start").headers["CIMI-Job-URI"]

    machine = polled(cimi, href, has_scheduler_message, "got the scheduler's message")
    assert machine["state"] == "CREATING"
    scheduler_says = machine["statusMessage"][len(WAITING):]
    assert "Cannot" in scheduler_says                # oned: "Cannot allocate VM. Not enough ..."

    job = polled(cimi, job_href, lambda job: scheduler_says in job.get("statusMessage", ""),
                 "told the scheduler's message")
    assert job["state"] == "QUEUED"
    assert job["statusMessage"].endswith(f"is PENDING: waiting to be scheduled: {scheduler_says}")

    log = cimi.get(machine["eventLog"]["href"]).document
    last = cimi.get(log["events"]["href"]).document["events"][-1]
    assert last["type"] == "model"
    assert last["content"]["change"] == machine["statusMessage"]
    assert (last["outcome"], last["severity"]) == ("Warning", "medium")
    assert log["summary"]["medium"] == 1
    assert cimi.get(last["id"]).document == last


def test_a_started_machine_has_no_status_message(cimi, started_machine):
    machine = cimi.get(started_machine).document
    assert machine["state"] == "STARTED"
    assert "statusMessage" not in machine
    events = cimi.get(cimi.get(machine["eventLog"]["href"]).document["events"]["href"])
    assert all(event["outcome"] == "Success" for event in events.document["events"])


def test_a_machine_whose_boot_fails_says_why(cimi, launched, wait_for_state, onesim_server):
    """The failure is onesim's injected one; a real oned's dummy driver failing the deploy
    gives "BOOT_FAILURE: <time>: DEPLOY: localhost:<name>:dummy"."""
    onesim_server.fail_boots(1)
    try:
        href = launched().document["id"]
        machine = wait_for_state(href, "ERROR")
    finally:
        onesim_server.clear_faults()
    assert machine["statusMessage"].startswith("BOOT_FAILURE")
    log = cimi.get(machine["eventLog"]["href"]).document
    last = cimi.get(log["events"]["href"]).document["events"][-1]
    assert (last["content"]["state"], last["content"]["change"]) == ("ERROR",
                                                                     machine["statusMessage"])
    assert (last["outcome"], last["severity"]) == ("Failure", "high")


def test_the_status_message_is_declared_in_the_machines_metadata(cimi, entry_point):
    metadata = cimi.get(entry_point["resourceMetadata"]["href"] + "/machines").document
    (declared,) = [attribute for attribute in metadata["attributes"]
                   if attribute["name"] == "statusMessage"]
    assert (declared["type"], declared["required"]) == ("string", False)
