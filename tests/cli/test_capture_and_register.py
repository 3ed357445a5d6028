"""`cimi shutdown-instance` of a machine launched with --save, `cimi capture-instance` and
`cimi register-image`, seen by a scripted server that answers with Jobs (the real server has
no capture action or image registration yet)."""
import pytest

from cimi_client.client import ACTION, CIMI
from cli_support import assert_one_error_line, run_cimi
from fake_cimi import FakeCimi

MACHINE = "/cimi/machines/42"
IMAGE = "/cimi/machineImages/9"


class Machine:
    """Machine 42: STARTED until stopped, then STOPPED; capture offered in both states."""

    def __init__(self, fake, properties):
        self.fake = fake
        self.state = "STARTED"
        self.properties = properties

    def document(self, request=None):
        operations = [{"rel": ACTION + "capture", "href": self.fake.url(MACHINE)}]
        if self.state == "STARTED":
            operations.append({"rel": ACTION + "stop", "href": self.fake.url(MACHINE)})
        return 200, {}, {"id": self.fake.url(MACHINE), "name": "builder", "state": self.state,
                         "properties": self.properties, "operations": operations}

    def act(self, request):
        if request.body["action"] == ACTION + "stop":
            self.state = "STOPPED"
            return 202, {}, b""
        return 202, {"CIMI-Job-URI": self.fake.url("/cimi/jobs/1")}, b""


@pytest.fixture
def cloud_with_jobs():
    with FakeCimi() as fake:
        fake.document("/cimi", {"resourceURI": CIMI + "CloudEntryPoint",
                                **{key: {"href": fake.url(f"/cimi/{key}")}
                                   for key in ("machines", "machineImages", "jobs")}})
        fake.document("/cimi/jobs/1", {"id": fake.url("/cimi/jobs/1"), "state": "SUCCESS",
                                       "targetResource": {"href": fake.url(MACHINE)},
                                       "affectedResources": [{"href": fake.url(IMAGE)}]})
        yield fake


def serve_machine(fake, properties):
    machine = Machine(fake, properties)
    fake.route("GET", "/cimi/machines", lambda request: (200, {}, {
        "count": 1, "machines": [machine.document()[2]]}))
    fake.route("GET", MACHINE, machine.document)
    fake.route("POST", MACHINE, machine.act)
    return machine


def cimi(fake, home, *arguments):
    return run_cimi(arguments, home, {"CIMI_ENDPOINT": fake.url("/cimi"),
                                      "CIMI_USERNAME": "alice", "CIMI_PASSWORD": "secret"})


def actions(fake):
    return [request.body for request in fake.requests if request.method == "POST"]


def test_shutdown_of_a_saved_machine_stops_it_then_captures_it(cloud_with_jobs, home):
    fake = cloud_with_jobs
    machine = serve_machine(fake, {"saveOnShutdown": "true"})
    result = cimi(fake, home, "shutdown-instance", "42")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "CAPTURED 42 as image 9\n"
    assert machine.state == "STOPPED"
    stop, capture = actions(fake)
    assert stop == {"resourceURI": CIMI + "Action", "action": ACTION + "stop", "force": False}
    assert capture == {"resourceURI": CIMI + "Action", "action": ACTION + "capture",
                       "image": {"name": "builder-capture"}}


def test_shutdown_without_save_only_stops(cloud_with_jobs, home):
    fake = cloud_with_jobs
    serve_machine(fake, {})
    result = cimi(fake, home, "shutdown-instance", "-q", "42")
    assert (result.returncode, result.stdout) == (0, "42\n")
    assert [body["action"] for body in actions(fake)] == [ACTION + "stop"]


def test_capture_instance_prints_the_new_image(cloud_with_jobs, home):
    fake = cloud_with_jobs
    serve_machine(fake, {})
    result = cimi(fake, home, "capture-instance", "-q", "--image-name", "web", "42")
    assert (result.returncode, result.stdout) == (0, "9\n")
    assert actions(fake)[0]["image"] == {"name": "web"}


def test_a_failed_capture_job_is_the_error(cloud_with_jobs, home):
    fake = cloud_with_jobs
    serve_machine(fake, {})
    fake.document("/cimi/jobs/1", {"id": fake.url("/cimi/jobs/1"), "state": "FAILED",
                                   "statusMessage": "Not enough space in the datastore"})
    result = cimi(fake, home, "capture-instance", "42")
    assert_one_error_line(result, "Service error: Not enough space in the datastore")


def test_register_image_posts_the_location_and_prints_the_image(cloud_with_jobs, home):
    fake = cloud_with_jobs
    fake.route("GET", "/cimi/machineImages", lambda request: (200, {}, {
        "count": 0, "operations": [{"rel": "add", "href": fake.url("/cimi/machineImages")}]}))
    fake.route("POST", "/cimi/machineImages", lambda request: (
        202, {"Location": fake.url(IMAGE), "CIMI-Job-URI": fake.url("/cimi/jobs/1")}, b""))
    fake.document(IMAGE, {"id": fake.url(IMAGE), "state": "AVAILABLE"})
    result = cimi(fake, home, "register-image", "--wait", "https://images.example.org/data.iso.gz")
    assert (result.returncode, result.stdout) == (0, "IMAGE 9\n"), result.stderr
    (registered,) = actions(fake)
    assert registered == {"resourceURI": CIMI + "MachineImage", "type": "IMAGE",
                          "imageLocation": "https://images.example.org/data.iso.gz",
                          "name": "data.iso.gz"}
