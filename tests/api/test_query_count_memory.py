"""The `count` of a page that does not reach the end of the pool comes from the process's
memory of pool sizes: it follows the caller's own creations and deletions at once, and never
answers a caller whose credentials OpenNebula would refuse. It counts the machines of the
parsed pool, never markup found in their values."""

import pytest

from tests.support import lanes


def page_count(cimi, machines):
    result = cimi.get(machines, params={"$first": "1", "$last": "1"})
    assert result.status == 200, result.document
    return result.document["count"]


def test_a_machine_created_or_deleted_through_the_api_changes_the_count_at_once(
        cimi, launched, collection_href, wait_for_state):
    machines = collection_href("machines")
    launched()
    launched()
    before = page_count(cimi, machines)
    assert page_count(cimi, machines) == before
    created = launched().document["id"]
    assert page_count(cimi, machines) == before + 1
    wait_for_state(created, "STARTED")      # a machine still booting cannot be deleted
    assert cimi.delete(created).status == 202
    # Terminating takes OpenNebula a moment; the count is recomputed, never the old one kept.
    assert page_count(cimi, machines) in (before, before + 1)


def test_a_page_past_the_end_counts_the_pool_and_leaves_later_counts_right(
        cimi, launched, collection_href):
    machines = collection_href("machines")
    launched()
    launched()
    before = page_count(cimi, machines)
    first = before + 1000
    past = cimi.get(machines, params={"$first": str(first), "$last": str(first + 1)})
    assert past.status == 200, past.document
    assert not past.document.get("machines")
    assert past.document["count"] == before
    assert page_count(cimi, machines) == before


def test_wrong_credentials_get_401_even_for_a_remembered_count(cimi, launched, collection_href):
    machines = collection_href("machines")
    launched()
    launched()
    page_count(cimi, machines)
    stranger = cimi.as_user("demo:not-the-password")
    for params in ({"$first": "1", "$last": "1"}, {"$first": "3", "$last": "2"}):
        result = stranger.get(machines, params=params)
        assert result.status == 401, result.document
        assert "count" not in result.document


@pytest.fixture
def machine_with_markup_in_a_value(opennebula):
    """A held VM of the caller whose short pool body holds, in a CDATA value, the markup
    that opens a VM: oned shows GRAPHICS in the short body and lets any user set LISTEN."""
    one = lanes.Rpc(opennebula.endpoint, opennebula.demo_session)
    vm_id = one.call("vm.allocate", 'NAME="markup"\nCPU="0.1"\nMEMORY="64"\n'
                     'GRAPHICS=[TYPE="VNC",LISTEN="pub<VM><ID>1<VM><ID>2"]', True)
    yield vm_id
    one.call("vm.action", "terminate-hard", vm_id)


def test_a_count_is_the_number_of_machines_whatever_their_values_hold(
        cimi, collection_href, launched, machine_with_markup_in_a_value):
    machines = collection_href("machines")
    launched()
    launched()
    listed = cimi.get(machines)
    assert listed.status == 200, listed.document
    assert page_count(cimi, machines) == len(listed.document["machines"]) >= 3
