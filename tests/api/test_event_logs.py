"""EventLogs: a machine's state changes from OpenNebula's history, in order, with hosts and
times; read-only, and only for machines the caller can see."""
import time

import pytest

from api_support import ACTION, CIMI, STATE_WAIT_SECONDS
from second_user import second_user_session


def act(cimi, href, name):
    result = cimi.post(href, {"resourceURI": CIMI + "Action", "action": ACTION + name})
    assert result.status == 202, result.document
    return result


@pytest.fixture
def settled_job(cimi):
    """Wait for the Job of a 202 answer to finish (hang guard only)."""
    def wait(result):
        href = result.headers["CIMI-Job-URI"]
        deadline = time.monotonic() + STATE_WAIT_SECONDS
        while cimi.get(href).document["state"] not in ("SUCCESS", "FAILED"):
            assert time.monotonic() < deadline, f"{href} never finished"
            time.sleep(0.05)
        return cimi.get(href).document
    return wait


def state_events(events):
    return [(event["content"]["state"], event["content"].get("previous"))
            for event in events if event["type"] == "state"]


def test_start_stop_start_in_order_with_host_and_times(cimi, launched, wait_for_state,
                                                       settled_job):
    machine = cimi.get(launched().document["id"]).document
    wait_for_state(machine["id"], "STARTED")
    assert settled_job(act(cimi, machine["id"], "stop"))["state"] == "SUCCESS"
    assert settled_job(act(cimi, machine["id"], "start"))["state"] == "SUCCESS"
    host = cimi.get(machine["id"]).document["host"]

    log_href = machine["eventLog"]["href"]
    log = cimi.get(log_href)
    assert log.status == 200
    assert log.document["resourceURI"] == CIMI + "EventLog"
    assert log.document["id"] == log_href
    assert log.document["targetResource"] == {"href": machine["id"]}
    assert log.document["summary"]["high"] == 0

    events = cimi.get(log.document["events"]["href"])
    assert events.status == 200
    assert events.document["resourceURI"] == CIMI + "EventCollection"
    listed = events.document["events"]
    assert log.document["summary"]["low"] == len(listed) == events.document["count"]
    assert state_events(listed) == [("CREATING", None), ("STARTED", "CREATING"),
                                    ("STOPPED", "STARTED"), ("STARTED", "STOPPED")]
    stamps = [event["timestamp"] for event in listed]
    assert stamps == sorted(stamps)
    assert stamps[0] == machine["created"]
    assert log.document["updated"] == stamps[-1]
    stop = listed[2]
    assert stop["content"]["change"] == "poweroff"
    assert stop["content"]["resource"] == {"href": machine["id"]}
    assert (stop["outcome"], stop["severity"]) == ("Success", "low")
    assert all(event["contact"] == host for event in listed[1:])

    for position, event in enumerate(listed):
        assert event["id"] == f"{log.document['events']['href']}/{position}"
        assert cimi.get(event["id"]).document == event
    assert cimi.get(f"{log.document['events']['href']}/{len(listed)}").status == 404


def test_a_failed_boot_is_a_failure_event(cimi, launched, wait_for_state, onesim_server):
    """A first boot that fails leaves the machine in BOOT_FAILURE (ERROR) on a real oned too
    (a failed restart of a powered-off one goes back to POWEROFF instead)."""
    onesim_server.fail_boots(1)
    try:
        href = launched().document["id"]
        wait_for_state(href, "ERROR")
    finally:
        onesim_server.clear_faults()
    log = cimi.get(cimi.get(href).document["eventLog"]["href"]).document
    events = cimi.get(log["events"]["href"]).document["events"]
    last = events[-1]
    assert last["content"]["state"] == "ERROR"
    assert "BOOT_FAILURE" in last["content"]["change"]
    assert (last["outcome"], last["severity"]) == ("Failure", "high")
    assert log["summary"]["high"] == 1


def test_the_collection_has_one_log_per_machine_and_takes_queries(cimi, launched,
                                                                  collection_href):
    first = launched().document["id"]
    second = launched().document["id"]
    result = cimi.get(collection_href("eventLogs"))
    assert result.status == 200
    assert result.document["resourceURI"] == CIMI + "EventLogCollection"
    targets = [log["targetResource"]["href"] for log in result.document["eventLogs"]]
    assert {first, second} <= set(targets)
    assert "operations" not in result.document
    selected = cimi.get(collection_href("eventLogs"),
                        params={"$filter": f"targetResource/href='{first}'",
                                "$select": "targetResource"})
    assert selected.document["count"] == 1
    (only,) = selected.document["eventLogs"]
    assert set(only) == {"resourceURI", "id", "targetResource"}


def test_events_take_queries(cimi, launched, wait_for_state):
    href = launched().document["id"]
    wait_for_state(href, "STARTED")
    events_href = cimi.get(cimi.get(href).document["eventLog"]["href"]).document["events"]["href"]
    result = cimi.get(events_href, params={"$filter": "type='state'", "$first": "2",
                                           "$last": "2", "$select": "content"})
    assert result.status == 200
    (second,) = result.document["events"]
    assert set(second) == {"resourceURI", "id", "content"}
    assert second["content"]["state"] == "STARTED"
    assert result.document["count"] == 2


def test_logs_of_unknown_or_hidden_machines_are_404(cimi, launched, collection_href,
                                                   opennebula):
    href = cimi.get(launched().document["id"]).document["eventLog"]["href"]
    other = cimi.as_user(second_user_session(opennebula))
    assert other.get(href).status in (403, 404)
    assert other.get(href + "/events").status in (403, 404)
    unknown = f"{collection_href('eventLogs')}/123456"
    for url in (unknown, unknown + "/events", unknown + "/events/0", f"{href}/events/abc"):
        assert cimi.get(url).status == 404


def test_event_logs_are_read_only(cimi, launched, collection_href):
    href = cimi.get(launched().document["id"]).document["eventLog"]["href"]
    body = {"resourceURI": CIMI + "EventLog", "name": "mine"}
    assert cimi.post(collection_href("eventLogs"), body).status == 405
    assert cimi.put(href, body).status == 405
    assert cimi.delete(href).status == 405
    assert cimi.delete(href + "/events/0").status == 405


@pytest.mark.parametrize("params", [{"$filter": "type='state"}, {"$last": "-1"},
                                    {"$orderby": "timestamp:up"}])
def test_bad_queries_on_event_logs_and_events_are_400(cimi, launched, collection_href, params):
    href = cimi.get(launched().document["id"]).document["eventLog"]["href"]
    for url in (collection_href("eventLogs"), href + "/events"):
        result = cimi.get(url, params=params)
        assert result.status == 400
        assert result.document["resourceURI"] == CIMI + "Error"
