"""What the listings push down to OpenNebula, in JSON and XML: pages become pool windows,
`state` and `owner` filters become pool arguments, no member is read on its own, and the
answers equal what the whole collection filtered and sliced here would give."""
import pytest


@pytest.fixture
def machines(entry_point):
    return entry_point["machines"]["href"]


@pytest.fixture
def mixed_machines(launched, machine_create, wait_for_state):
    """Two held machines and one started, each with its final state."""
    held = [launched(machine_create(name="held", initialState="STOPPED")).document["id"]
            for _ in range(2)]
    running = launched(machine_create(name="running")).document["id"]
    wait_for_state(running, "STARTED")
    return held + [running]


def read(cimi, href, **params):
    result = cimi.get(href, params=params)
    assert result.status == 200, result.document
    return result.document


def ids(document, key="machines"):
    return [member["id"] for member in document.get(key, [])]


def pool_calls(calls, method):
    return [args for name, args in calls if name == method]


def test_a_page_is_one_pool_window_and_no_member_is_read_alone(cimi, machines, mixed_machines,
                                                               calls):
    whole = read(cimi, machines)
    calls.clear()
    page = read(cimi, machines, **{"$first": 2, "$last": 3})
    assert ids(page) == ids(whole)[1:3]
    assert page["count"] == whole["count"]
    (window,) = pool_calls(calls, "vmpool.infoextended")
    assert window[1:3] == (1, -3)       # one more, to see whether the page ends the pool
    assert not pool_calls(calls, "vm.info")


def test_a_page_of_one_is_asked_with_the_next_and_cut(cimi, machines, mixed_machines, calls):
    whole = read(cimi, machines)
    calls.clear()
    page = read(cimi, machines, **{"$first": 3, "$last": 3})
    assert ids(page) == ids(whole)[2:3]
    (window,) = pool_calls(calls, "vmpool.infoextended")
    assert window[1:3] == (2, -2)


def test_the_last_page_counts_from_the_window_alone(cimi, machines, mixed_machines, calls):
    whole = read(cimi, machines)
    count = whole["count"]
    calls.clear()
    page = read(cimi, machines, **{"$first": count - 1, "$last": count + 10})
    assert ids(page) == ids(whole)[-2:]
    assert page["count"] == count
    assert [name for name, _ in calls] == ["vmpool.infoextended"]


def test_the_page_size_is_capped_by_configuration(cimi, machines, mixed_machines, app, calls):
    app.config["CIMI_PAGE_SIZE_MAX"] = 2
    page = read(cimi, machines)
    assert len(ids(page)) == 2
    assert page["count"] >= 3
    assert pool_calls(calls, "vmpool.infoextended")[0][1:3] == (0, -3)


@pytest.mark.parametrize("state", ["STOPPED", "STARTED", "CREATING", "ERROR", "DELETED", "X"])
def test_a_state_filter_equals_the_whole_listing_filtered(cimi, machines, mixed_machines,
                                                          state):
    whole = read(cimi, machines)
    expected = [member["id"] for member in whole["machines"] if member.get("state") == state]
    filtered = read(cimi, machines, **{"$filter": f"state='{state}'"})
    assert ids(filtered) == expected
    assert filtered["count"] == len(expected)
    for first in range(1, len(expected) + 1):
        page = read(cimi, machines, **{"$filter": f"state='{state}'", "$first": first,
                                       "$last": first})
        assert ids(page) == expected[first - 1:first]
        assert page["count"] == len(expected)


def test_a_started_filter_asks_the_pool_for_active_vms_only(cimi, machines, mixed_machines,
                                                            calls):
    read(cimi, machines, **{"$filter": "state='STARTED' and name='running'"})
    (arguments,) = pool_calls(calls, "vmpool.infoextended")
    assert arguments[3] == 3      # ACTIVE: its VMs show as other states too, checked here


def test_done_vms_are_left_out_by_the_pool(cimi, machines, mixed_machines, calls):
    read(cimi, machines)
    (arguments,) = pool_calls(calls, "vmpool.infoextended")
    assert arguments[3] == -1


def test_an_owner_filter_on_the_caller_becomes_the_own_objects_flag(
        cimi, entry_point, cimi_credentials, calls):
    href = entry_point["machineConfigs"]["href"]
    whole = read(cimi, href)
    me = cimi_credentials.partition(":")[0]
    expected = [member["id"] for member in whole["machineConfigurations"]
                if member.get("owner") == me]
    calls.clear()
    mine = read(cimi, href, **{"$filter": f"owner='{me}'", "$first": 1, "$last": 5})
    assert ids(mine, "machineConfigurations") == expected[:5]
    assert mine["count"] == len(expected)
    assert pool_calls(calls, "documentpool.info")[0][0] == -3
    others = read(cimi, href, **{"$filter": "owner='oneadmin'"})
    assert ids(others, "machineConfigurations") == [
        member["id"] for member in whole["machineConfigurations"]
        if member.get("owner") == "oneadmin"]


def test_a_page_ending_exactly_at_the_pool_end_needs_no_count(cimi, machines, mixed_machines,
                                                              calls):
    count = read(cimi, machines)["count"]
    calls.clear()
    page = read(cimi, machines, **{"$first": count - 1, "$last": count})
    assert len(ids(page)) == 2 and page["count"] == count
    assert [name for name, _ in calls] == ["vmpool.infoextended"]
