"""What `cimi run-instance` asks a CIMI server for, seen by a scripted server that offers every
collection: the MachineCreate with the type by reference and its overrides, the volumes
(read-only ones marked), the SSH key as a Credential, cloud-init user data in base64; and the
guide's context file written by `cimi prepare-context`."""
import base64
import email
import gzip
import threading
import time

import pytest

from cimi_client import cloud_init, launching
from cimi_client.client import CIMI, CimiError
from cli_support import assert_one_error_line, run_cimi
from fake_cimi import FakeCimi

KEY = "ssh-rsa AAAAB3NzaC1yc2E user@example"
SCRIPT = "#!/bin/sh\necho hello > /tmp/hello\n"


def collection(fake, path, members, key):
    fake.route("GET", path, lambda request: (200, {}, {
        "count": len(members), key: members,
        "operations": [{"rel": "add", "href": fake.url(path)}]}))


@pytest.fixture
def cloud_offering_everything():
    with FakeCimi() as fake:
        fake.document("/cimi", {"resourceURI": CIMI + "CloudEntryPoint",
                                **{key: {"href": fake.url(f"/cimi/{key}")} for key in (
                                    "machines", "machineConfigs", "machineImages", "volumes",
                                    "credentials")}})
        collection(fake, "/cimi/machineImages",
                   [{"id": fake.url("/cimi/machineImages/5"), "name": "ttylinux"}], "machineImages")
        collection(fake, "/cimi/machineConfigs", [{
            "id": fake.url("/cimi/machineConfigs/1"), "name": "m1.small", "cpu": 1,
            "memory": 131072, "disks": [{"capacity": 1048576, "format": "swap"}]}],
                   "machineConfigurations")
        collection(fake, "/cimi/volumes", [
            {"id": fake.url(f"/cimi/volumes/{number}"), "name": f"disk{number}"}
            for number in (7, 8)], "volumes")
        collection(fake, "/cimi/credentials", [], "credentials")
        collection(fake, "/cimi/machines", [], "machines")
        fake.route("POST", "/cimi/credentials", lambda request: (
            201, {"Location": fake.url("/cimi/credentials/3")}, b""))
        fake.route("POST", "/cimi/machines", lambda request: (
            201, {"Location": fake.url("/cimi/machines/42")},
            {"id": fake.url("/cimi/machines/42"), "state": "CREATING",
             "ipAddresses": ["10.1.2.3"]}))
        yield fake


def launch(fake, home, *arguments):
    result = run_cimi(["run-instance", "-q", *arguments, "ttylinux"], home,
                      {"CIMI_ENDPOINT": fake.url("/cimi"), "CIMI_USERNAME": "alice",
                       "CIMI_PASSWORD": "secret"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "42, 10.1.2.3\n"
    (create,) = [request for request in fake.requests
                 if request.method == "POST" and request.path == "/cimi/machines"]
    return create.body


def test_the_type_by_reference_with_overrides_and_disks(cloud_offering_everything, home):
    fake = cloud_offering_everything
    body = launch(fake, home, "--ram", "512", "--swap", "2048", "--volatile-disk", "3",
                  "--persistent-disk", "7", "--save")
    template = body["machineTemplate"]
    assert body["resourceURI"] == CIMI + "MachineCreate"
    assert body["properties"] == {"saveOnShutdown": "true"}
    assert template["machineImage"] == {"href": fake.url("/cimi/machineImages/5")}
    assert template["machineConfig"] == {
        "href": fake.url("/cimi/machineConfigs/1"), "memory": 512 * 1024,
        "disks": [{"capacity": 2048 * 1024, "format": "swap"},
                  {"capacity": 3 * 1024 * 1024, "format": "raw"}]}
    assert template["volumes"] == [{"volume": {"href": fake.url("/cimi/volumes/7")}}]
    assert "credential" not in template and "userData" not in template


def test_an_unknown_volume_is_an_error_before_anything_is_created(cloud_offering_everything, home):
    fake = cloud_offering_everything
    result = run_cimi(["run-instance", "--readonly-disk", "99", "ttylinux"], home,
                      {"CIMI_ENDPOINT": fake.url("/cimi"), "CIMI_USERNAME": "a",
                       "CIMI_PASSWORD": "b"})
    assert_one_error_line(result, "No volume '99'")
    assert not [request for request in fake.requests if request.method == "POST"]


def test_read_only_volumes_are_marked(cloud_offering_everything, home):
    body = launch(cloud_offering_everything, home, "--readonly-disk", "8")
    assert body["machineTemplate"]["volumes"] == [
        {"volume": {"href": cloud_offering_everything.url("/cimi/volumes/8")}, "readOnly": True}]


def test_the_default_key_becomes_a_credential(cloud_offering_everything, home):
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa.pub").write_text(KEY + "\n")
    body = launch(cloud_offering_everything, home)
    assert body["machineTemplate"]["credential"] == {
        "href": cloud_offering_everything.url("/cimi/credentials/3")}
    (created,) = [request for request in cloud_offering_everything.requests
                  if request.method == "POST" and request.path == "/cimi/credentials"]
    assert created.body["credentialTemplate"] == {"publicKey": KEY}


def test_cloud_init_pairs_become_multipart_user_data(cloud_offering_everything, home):
    (home / "key.pub").write_text(KEY)
    (home / "run.sh").write_text(SCRIPT)
    # As the guide writes it, in quotes: the command expands $HOME, no shell does.
    body = launch(cloud_offering_everything, home,
                  "--cloud-init", "ssh,$HOME/key.pub#x-shellscript,run.sh")
    message = email.message_from_bytes(base64.b64decode(body["machineTemplate"]["userData"]))
    (part,) = message.get_payload()
    assert part.get_content_type() == "text/x-shellscript"
    assert part.get_payload(decode=True).decode() == SCRIPT
    assert body["machineTemplate"]["credential"]["href"].endswith("/credentials/3")


def test_prepare_context_writes_the_guides_file_that_run_instance_reads(
        cloud_offering_everything, home):
    (home / "key.pub").write_text(KEY)
    (home / "run.sh").write_text(SCRIPT)
    prepared = run_cimi(["prepare-context", "ssh,key.pub", "none,run.sh"], home)
    assert prepared.returncode == 0, prepared.stderr
    lines = (home / "cloud-init.txt").read_text().splitlines()
    assert lines[0] == "CONTEXT_METHOD=cloud-init"
    assert lines[1] == "CLOUD_INIT_AUTHORIZED_KEYS=" + base64.b64encode(KEY.encode()).decode()
    name, _, value = lines[2].partition("=")
    assert name == "CLOUD_INIT_USER_DATA"
    assert gzip.decompress(base64.b64decode(value)).decode() == SCRIPT

    body = launch(cloud_offering_everything, home, "--context-file", "cloud-init.txt")
    assert base64.b64decode(body["machineTemplate"]["userData"]).decode() == SCRIPT
    assert "credential" in body["machineTemplate"]


def test_context_pairs_are_checked():
    assert cloud_init.parse_option("ssh,a.pub#x-shellscript,b.sh") == [
        ("ssh", "a.pub"), ("x-shellscript", "b.sh")]
    with pytest.raises(CimiError, match="not a mimetype,file pair"):
        cloud_init.parse_option("run.sh")
    with pytest.raises(CimiError, match="Cannot read missing.sh"):
        cloud_init.build([("x-shellscript", "missing.sh")])


def test_machines_made_before_a_refusal_are_still_reported(cloud_offering_everything, home):
    fake = cloud_offering_everything
    created = []

    def create(request):
        if created:
            return 403, {}, {"status": 403, "message": "Quota exceeded: VMS"}
        created.append(fake.url("/cimi/machines/42"))
        return 201, {"Location": created[0]}, {"id": created[0], "ipAddresses": ["10.1.2.3"]}

    fake.route("POST", "/cimi/machines", create)
    result = run_cimi(["run-instance", "-q", "--count", "3", "ttylinux"], home,
                      {"CIMI_ENDPOINT": fake.url("/cimi"), "CIMI_USERNAME": "a",
                       "CIMI_PASSWORD": "b"})
    assert result.stdout == "42, 10.1.2.3\n"
    assert_one_error_line(result, "[ERROR] Service error: Quota exceeded: VMS")


def test_count_machines_are_created_side_by_side_and_reported_in_order(
        cloud_offering_everything, home):
    """The later machines are answered first here; the output still follows the count."""
    fake = cloud_offering_everything
    lock = threading.Lock()
    in_flight, most_in_flight = [0], [0]

    def create(request):
        number = int(request.body["name"].rsplit("-", 1)[1])
        with lock:
            in_flight[0] += 1
            most_in_flight[0] = max(most_in_flight[0], in_flight[0])
        time.sleep(0.05 * (7 - number))
        with lock:
            in_flight[0] -= 1
        href = fake.url(f"/cimi/machines/{100 + number}")
        return 201, {"Location": href}, {"id": href, "ipAddresses": [f"10.0.0.{number}"]}

    fake.route("POST", "/cimi/machines", create)
    result = run_cimi(["run-instance", "-q", "--count", "6", "--name", "web", "ttylinux"], home,
                      {"CIMI_ENDPOINT": fake.url("/cimi"), "CIMI_USERNAME": "a",
                       "CIMI_PASSWORD": "b"})
    assert result.returncode == 0, result.stderr
    assert result.lines == [f"{100 + number}, 10.0.0.{number}" for number in range(1, 7)]
    assert 1 < most_in_flight[0] <= launching.CONNECTIONS
    # Where machines are added is read once, not before every machine.
    assert len([request for request in fake.requests
                if (request.method, request.path) == ("GET", "/cimi/machines")]) == 1


def test_a_refusal_stops_the_machines_not_asked_for_yet(cloud_offering_everything, home):
    fake = cloud_offering_everything
    lock = threading.Lock()
    answered = []

    def create(request):
        with lock:
            answered.append(len(answered) + 1)
            arrival = answered[-1]
        if arrival == 3:
            return 403, {}, {"status": 403, "message": "Quota exceeded: VMS"}
        time.sleep(0.05)
        href = fake.url(f"/cimi/machines/{arrival}")
        return 201, {"Location": href}, {"id": href, "ipAddresses": [f"10.0.0.{arrival}"]}

    fake.route("POST", "/cimi/machines", create)
    result = run_cimi(["run-instance", "-q", "--count", "40", "ttylinux"], home,
                      {"CIMI_ENDPOINT": fake.url("/cimi"), "CIMI_USERNAME": "a",
                       "CIMI_PASSWORD": "b"})
    created = result.lines
    assert len(answered) < 40
    assert len(created) == len(answered) - 1
    assert_one_error_line(result, "[ERROR] Service error: Quota exceeded: VMS",
                          f"({40 - len(created)} of 40 machines not created)")
