"""The client library: href and operation following, 201/202 answers, Job and state waits,
errors carrying the server's message. Against the real server where it has the feature, against
a scripted one (fake_cimi) for Jobs, paging and foreign error bodies."""
import pytest

from cimi_client.client import (
    ACTION, CIMI, GONE, CimiClient, CimiError, JobFailed, ServiceError, WaitTimedOut, short_id,
)
from fake_cimi import FakeCimi
from support.lanes import STATE_WAIT_SECONDS

JOB_HEADER = "CIMI-Job-URI"


# --- against the real server ------------------------------------------------------------------

def test_collections_come_from_the_entry_point_in_json_and_xml(cloud):
    in_json = cloud.client()
    in_xml = cloud.client(fmt="xml")
    assert in_json.entry_point == in_xml.entry_point
    for collection in ("machineConfigs", "machineImages"):
        assert in_xml.members(collection) == in_json.members(collection)
    with pytest.raises(CimiError, match="offers no nonsense collection"):
        in_json.members("nonsense")


def test_create_act_and_delete_follow_operations_and_states(cloud):
    client = cloud.client()
    (image,) = client.members("machineImages", {"$filter": "name='ttylinux'"})
    answer = client.create("machines", {
        "resourceURI": CIMI + "MachineCreate", "name": "library",
        "machineTemplate": {"machineImage": {"href": image["id"]},
                            "machineConfig": {"cpu": 1, "memory": 131072}}})
    assert answer.status == 201 and answer.location == answer.document["id"]
    machine = client.wait_for_state(answer.location, {"STARTED"}, timeout=STATE_WAIT_SECONDS)

    stopping = client.act(machine, "stop")
    assert stopping.status == 202
    stopped = client.settle(stopping, timeout=STATE_WAIT_SECONDS, until={"STOPPED"}, resource=machine["id"])
    assert stopped["state"] == "STOPPED"
    with pytest.raises(CimiError, match="no .*restart operation .* in state STOPPED"):
        client.act(stopped, "restart")

    deleting = client.delete(stopped)
    assert client.settle(deleting, timeout=STATE_WAIT_SECONDS, until={GONE}, resource=machine["id"]) is None
    with pytest.raises(ServiceError) as gone:
        client.get(machine["id"])
    assert gone.value.status == 404 and str(gone.value)


def test_jobs_of_the_real_server_are_waited_for(cloud, onesim_process):
    """Machine actions answer 202 with a Job; a start whose boot fails ends in a FAILED Job."""
    client = cloud.client()
    (image,) = client.members("machineImages", {"$filter": "name='ttylinux'"})
    answer = client.create("machines", {"machineTemplate": {
        "machineImage": {"href": image["id"]}, "machineConfig": {"cpu": 1, "memory": 131072}}})
    machine = client.wait_for_state(answer.location, {"STARTED"}, timeout=STATE_WAIT_SECONDS)
    stopping = client.act(machine, "stop")
    assert stopping.job
    job = client.wait_for_job(stopping.job, timeout=STATE_WAIT_SECONDS)
    assert job["state"] == "SUCCESS"
    assert job["targetResource"]["href"] == machine["id"]

    stopped = client.get(machine["id"])
    onesim_process.fail_boots(1)
    try:
        starting = client.act(stopped, "start")
        with pytest.raises(JobFailed) as failed:
            client.wait_for_job(starting.job, timeout=STATE_WAIT_SECONDS)
    finally:
        onesim_process.clear_faults()     # the emulator serves the later tests of this worker
    assert str(failed.value)
    client.settle(client.delete(client.wait_for_operation(
        client.get(machine["id"]), "delete", timeout=STATE_WAIT_SECONDS)), timeout=STATE_WAIT_SECONDS, until={GONE},
        resource=machine["id"])


def test_the_servers_message_is_the_error(cloud):
    client = CimiClient(cloud.endpoint, cloud.username, "wrong")
    with pytest.raises(ServiceError) as refused:
        client.members("machines")
    assert refused.value.status == 401
    assert str(refused.value) and "<" not in str(refused.value)


# --- against a scripted server ----------------------------------------------------------------

@pytest.fixture
def fake():
    with FakeCimi() as server:
        server.document("/cimi", {"resourceURI": CIMI + "CloudEntryPoint",
                                  "baseURI": server.url("/cimi/"),
                                  "volumes": {"href": server.url("/cimi/volumes")},
                                  "jobs": {"href": server.url("/cimi/jobs")}})
        yield server


def client_of(fake):
    return CimiClient(fake.url("/cimi"), "alice", "secret", poll_seconds=0.01)


def job_answering(fake, path, states, message=None):
    """A Job that reports `states` one poll after the other, then stays at the last."""
    remaining = list(states)

    def answer(request):
        state = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        return 200, {}, {"resourceURI": CIMI + "Job", "id": fake.url(path), "state": state,
                         "statusMessage": message or state,
                         "targetResource": {"href": fake.url("/cimi/volumes/7")}}

    fake.route("GET", path, answer)


def test_members_are_fetched_page_after_page(fake):
    everything = [{"id": fake.url(f"/cimi/volumes/{number}")} for number in range(1, 6)]

    def page(request):
        first = int(request.query.get("$first", ["1"])[0])
        return 200, {}, {"count": 5, "volumes": everything[first - 1:first + 1]}

    fake.route("GET", "/cimi/volumes", page)
    assert client_of(fake).members("volumes") == everything
    pages = [request.query.get("$first") for request in fake.requests
             if request.path == "/cimi/volumes"]
    assert pages == [None, ["3"], ["5"]]


def test_a_202_with_a_job_is_settled_through_the_job(fake):
    fake.route("GET", "/cimi/volumes", lambda request: (200, {}, {
        "count": 0, "operations": [{"rel": "add", "href": fake.url("/cimi/volumes")}]}))
    fake.route("POST", "/cimi/volumes", lambda request: (
        202, {"Location": fake.url("/cimi/volumes/7"), JOB_HEADER: fake.url("/cimi/jobs/1")}, b""))
    job_answering(fake, "/cimi/jobs/1", ["QUEUED", "RUNNING", "SUCCESS"])
    fake.document("/cimi/volumes/7", {"id": fake.url("/cimi/volumes/7"), "state": "AVAILABLE"})
    client = client_of(fake)

    answer = client.create("volumes", {"name": "data"})
    assert (answer.status, answer.location, answer.job) == (
        202, fake.url("/cimi/volumes/7"), fake.url("/cimi/jobs/1"))
    seen = []
    volume = client.settle(answer, timeout=STATE_WAIT_SECONDS, until={"AVAILABLE"}, progress=seen.append)
    assert volume["state"] == "AVAILABLE"
    # The Job's states are told apart from the volume's in a progress line.
    assert seen[:3] == ["(job QUEUED)", "(job RUNNING)", "(job SUCCESS)"]
    assert seen[3:] == ["AVAILABLE"]
    (posted,) = [request for request in fake.requests if request.method == "POST"]
    assert posted.body == {"name": "data"}
    assert posted.headers["Content-Type"] == "application/json"
    assert posted.headers["Authorization"].startswith("Basic ")


def test_a_failed_job_raises_its_status_message(fake):
    job_answering(fake, "/cimi/jobs/2", ["RUNNING", "FAILED"], message="Not enough rights")
    with pytest.raises(JobFailed, match="Not enough rights"):
        client_of(fake).wait_for_job(fake.url("/cimi/jobs/2"), timeout=STATE_WAIT_SECONDS)


def test_a_job_that_never_ends_times_out(fake):
    job_answering(fake, "/cimi/jobs/3", ["RUNNING"])
    with pytest.raises(WaitTimedOut, match="still RUNNING"):
        client_of(fake).wait_for_job(fake.url("/cimi/jobs/3"), timeout=0)


def test_a_202_without_a_job_is_settled_by_the_resources_state(fake):
    states = ["CREATING", "CREATING", "AVAILABLE"]
    fake.route("GET", "/cimi/volumes/8", lambda request: (200, {}, {
        "id": fake.url("/cimi/volumes/8"),
        "state": states.pop(0) if len(states) > 1 else states[0]}))
    fake.route("DELETE", "/cimi/volumes/8", lambda request: (202, {}, b""))
    client = client_of(fake)
    volume = client.wait_for_state(fake.url("/cimi/volumes/8"), {"AVAILABLE"}, timeout=STATE_WAIT_SECONDS)
    assert volume["state"] == "AVAILABLE"

    resource = {"id": volume["id"], "operations": [{"rel": "delete", "href": volume["id"]}]}
    answer = client.delete(resource)
    assert (answer.status, answer.job, answer.location) == (202, None, None)
    assert client.settle(answer, timeout=STATE_WAIT_SECONDS) is None


def test_a_delete_not_offered_is_still_asked_so_the_server_says_why(fake):
    href = fake.url("/cimi/volumes/9")
    fake.route("DELETE", "/cimi/volumes/9", lambda request: (403, {}, {
        "resourceURI": CIMI + "Error", "status": 403,
        "message": "Volume 9 is owned by alice: only its owner can delete it."}))
    with pytest.raises(ServiceError, match="only its owner can delete it") as refused:
        client_of(fake).delete({"id": href, "operations": [{"rel": "edit", "href": href}]})
    assert refused.value.status == 403
    assert [request.method for request in fake.requests] == ["DELETE"]


def test_actions_post_a_cimi_action_to_the_offered_href(fake):
    fake.route("POST", "/cimi/machines/3/act",
               lambda request: (202, {JOB_HEADER: fake.url("/cimi/jobs/4")}, b""))
    machine = {"id": fake.url("/cimi/machines/3"), "operations": [
        {"rel": ACTION + "capture", "href": fake.url("/cimi/machines/3/act")}]}
    answer = client_of(fake).act(machine, "capture", image={"name": "copy"})
    assert answer.job == fake.url("/cimi/jobs/4")
    assert fake.requests[-1].body == {"resourceURI": CIMI + "Action", "action": ACTION + "capture",
                                      "image": {"name": "copy"}}


@pytest.mark.parametrize("body, content_type, expected", [
    ({"status": 403, "message": "Not enough rights to delete disk"}, None,
     "Not enough rights to delete disk"),
    (b'<Error xmlns="http://schemas.dmtf.org/cimi/1"><status>403</status>'
     b"<message>Not enough rights to delete disk</message></Error>", "application/xml",
     "Not enough rights to delete disk"),
    (b"<html><body>Bad gateway</body></html>", "text/html", "403 Forbidden from http://"),
    (b"upstream went away\n", "text/plain", "403 Forbidden: upstream went away"),
])
def test_error_bodies_become_one_message(fake, body, content_type, expected):
    headers = {"Content-Type": content_type} if content_type else {}
    fake.route("DELETE", "/cimi/volumes/9", lambda request: (403, headers, body))
    volume = {"id": fake.url("/cimi/volumes/9"),
              "operations": [{"rel": "delete", "href": fake.url("/cimi/volumes/9")}]}
    with pytest.raises(ServiceError) as refused:
        client_of(fake).delete(volume)
    assert refused.value.status == 403
    assert str(refused.value).startswith(expected)


def test_xml_answers_are_read_into_the_json_shape(fake):
    fake.route("GET", "/cimi/volumes", lambda request: (200, {"Content-Type": "application/xml"}, (
        '<Collection xmlns="http://schemas.dmtf.org/cimi/1" '
        'resourceURI="http://schemas.dmtf.org/cimi/1/VolumeCollection">'
        f'<id>{fake.url("/cimi/volumes")}</id><count>1</count>'
        f'<Volume><id>{fake.url("/cimi/volumes/1")}</id><name>data</name>'
        '<property key="visibility">public</property><capacity>1048576</capacity>'
        '<bootable>false</bootable></Volume>'
        f'<operation rel="add" href="{fake.url("/cimi/volumes")}"/></Collection>').encode()))
    (volume,) = client_of(fake).members("volumes")
    assert volume == {"resourceURI": CIMI + "Volume", "id": fake.url("/cimi/volumes/1"),
                      "name": "data",
                      "properties": {"visibility": "public"}, "capacity": 1048576,
                      "bootable": False}
    assert short_id(volume["id"]) == "1"


def test_an_unreachable_server_is_one_clear_error():
    with FakeCimi() as server:
        url = server.url("/cimi")
    with pytest.raises(CimiError, match="Cannot reach .*Connection refused"):
        CimiClient(url).entry_point


def test_an_operation_a_creating_resource_lacks_is_waited_for(fake):
    href = fake.url("/cimi/machines/5")
    delete = [{"rel": "delete", "href": href}]
    answers = [("CREATING", []), ("CREATING", []), ("STARTED", delete)]

    def machine(request):
        state, operations = answers.pop(0) if len(answers) > 1 else answers[0]
        return 200, {}, {"id": href, "state": state, "operations": operations}

    fake.route("GET", "/cimi/machines/5", machine)
    client = client_of(fake)
    ready = client.wait_for_operation({"id": href, "state": "CREATING", "operations": []},
                                      "delete", timeout=STATE_WAIT_SECONDS)
    assert ready["operations"] == delete
    stopped = {"id": href, "state": "STOPPED", "operations": []}
    assert client.wait_for_operation(stopped, "delete", timeout=STATE_WAIT_SECONDS) is stopped


def test_a_busy_server_is_asked_again_as_its_retry_after_says(fake):
    fake.route("GET", "/cimi/volumes", lambda request: (200, {}, {
        "count": 0, "operations": [{"rel": "add", "href": fake.url("/cimi/volumes")}]}))
    answers = [(503, {"Retry-After": "0"}, {"status": 503, "message": "Busy."}),
               (201, {"Location": fake.url("/cimi/volumes/7")}, b"")]
    fake.route("POST", "/cimi/volumes", lambda request: answers.pop(0))
    answer = client_of(fake).create("volumes", {"resourceURI": CIMI + "VolumeCreate"})
    assert (answer.status, answer.location) == (201, fake.url("/cimi/volumes/7"))


def test_a_503_without_retry_after_is_an_error_at_once(fake):
    fake.route("GET", "/cimi/volumes", lambda request: (200, {}, {
        "count": 0, "operations": [{"rel": "add", "href": fake.url("/cimi/volumes")}]}))
    fake.route("POST", "/cimi/volumes", lambda request: (
        503, {}, {"status": 503, "message": "Down for maintenance."}))
    with pytest.raises(ServiceError, match="Down for maintenance"):
        client_of(fake).create("volumes", {"resourceURI": CIMI + "VolumeCreate"})
    assert len([request for request in fake.requests if request.method == "POST"]) == 1
