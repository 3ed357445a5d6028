"""Sample CIMI Machine documents for the query tests."""

BASE = "http://example.com/cimi/"


def machine(number, **attributes):
    """A Machine document dict in CIMI JSON shape; `attributes` override or add."""
    document = {
        "resourceURI": "http://schemas.dmtf.org/cimi/1/Machine",
        "id": f"{BASE}machines/{number}",
        "name": f"vm-{number}",
        "created": f"2024-05-{number:02d}T12:00:00Z",
        "properties": {"owner": "alice" if number % 2 else "bob"},
        "state": "STARTED" if number % 3 else "STOPPED",
        "cpu": number % 4 + 1,
        "memory": 1048576 * (number % 3 + 1),
        "machineConfig": {"href": f"{BASE}machineConfigs/{number % 2}"},
        "volumes": {"href": f"{BASE}machines/{number}/volumes"},
        "operations": [{"rel": "edit", "href": f"{BASE}machines/{number}"}],
    }
    document.update(attributes)
    return document


def twelve_machines():
    """vm-1 .. vm-12, created on 2024-05-01 .. 2024-05-12 at noon UTC."""
    return [machine(number) for number in range(1, 13)]
