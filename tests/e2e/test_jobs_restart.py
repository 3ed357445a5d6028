"""Jobs live in OpenNebula, not in the server: a Job handed out by one gunicorn resolves when
read from a new one, in JSON and XML."""
import time

from support.servers import free_port, running_gunicorn
from test_stratuslab_workflow import ACTION, CIMI, STATE_WAIT_SECONDS, wait_for


def wait_for_job(client, href):
    """Poll a Job until it has finished; bounded as a hang guard."""
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    while True:
        status, job, _ = client.get(href)
        assert status == 200, job
        if job["state"] in ("SUCCESS", "FAILED"):
            return job
        assert time.monotonic() < deadline, f"{href} stayed {job['state']}"
        time.sleep(0.1)


def test_a_job_resolves_after_the_server_restarted(http_cimi, installed):
    listen = f"127.0.0.1:{free_port()}"
    with running_gunicorn(installed.endpoint, listen) as entry_point_url:
        _, entry_point, _ = http_cimi.get(entry_point_url)
        _, images, _ = http_cimi.get(entry_point["machineImages"]["href"],
                                     params={"$filter": "name='ttylinux'"})
        (image,) = images["machineImages"]
        create = {"resourceURI": CIMI + "MachineCreate", "name": "job-across-restart",
                  "machineTemplate": {"machineImage": {"href": image["id"]}}}
        status, machine, headers = http_cimi.post(entry_point["machines"]["href"], create)
        assert status == 201
        machine_href = headers["Location"]
        wait_for(http_cimi, machine_href, "STARTED")
        status, _, headers = http_cimi.post(
            machine_href, {"resourceURI": CIMI + "Action", "action": ACTION + "stop"})
        assert status == 202
        job_href = headers["CIMI-Job-URI"]

    with running_gunicorn(installed.endpoint, listen) as entry_point_url:
        job = wait_for_job(http_cimi, job_href)
        assert job["state"] == "SUCCESS"
        assert job["targetResource"] == {"href": machine_href}
        assert job["action"] == ACTION + "stop"
        assert wait_for(http_cimi, machine_href, "STOPPED")
        _, entry_point, _ = http_cimi.get(entry_point_url)
        status, jobs, _ = http_cimi.get(entry_point["jobs"]["href"])
        assert status == 200
        assert job_href in {member["id"] for member in jobs["jobs"]}

        status, _, headers = http_cimi.delete(machine_href)
        assert status == 202
        assert wait_for_job(http_cimi, headers["CIMI-Job-URI"])["state"] == "SUCCESS"
        wait_for(http_cimi, machine_href, 404)
