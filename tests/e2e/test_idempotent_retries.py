"""An Idempotency-Key's outcome lives in OpenNebula, not in the server: a create answered by
one gunicorn is answered again, not repeated, by a new one, in JSON and XML."""
import uuid

from support.servers import free_port, running_gunicorn
from test_stratuslab_workflow import CIMI


def test_a_retry_served_by_a_new_server_answers_the_first_machine(http_cimi, installed):
    listen = f"127.0.0.1:{free_port()}"
    key = {"Idempotency-Key": f'"{uuid.uuid4()}"'}
    name = f"idempotent-{uuid.uuid4().hex[:8]}"
    with running_gunicorn(installed.endpoint, listen) as entry_point_url:
        _, entry_point, _ = http_cimi.get(entry_point_url)
        machines_href = entry_point["machines"]["href"]
        _, images, _ = http_cimi.get(entry_point["machineImages"]["href"],
                                     params={"$filter": "name='ttylinux'"})
        (image,) = images["machineImages"]
        create = {"resourceURI": CIMI + "MachineCreate", "name": name,
                  "machineTemplate": {"machineImage": {"href": image["id"]}}}
        status, first, headers = http_cimi.post(machines_href, create, key)
        assert status == 201, first
        location = headers["Location"]

    with running_gunicorn(installed.endpoint, listen):
        status, retried, headers = http_cimi.post(machines_href, create, key)
        assert status == 201, retried
        assert headers["Location"] == location
        assert retried["id"] == first["id"]
        _, listed, _ = http_cimi.get(machines_href, params={"$filter": f"name='{name}'"})
        assert [machine["id"] for machine in listed["machines"]] == [location]
        status, _, _ = http_cimi.delete(location)
        assert status == 202
