"""The `count` of a page that does not reach the end of the pool comes from the process's
memory of pool sizes: it follows the caller's own creations and deletions at once, and never
answers a caller whose credentials OpenNebula would refuse."""


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
