"""The libcloud driver (cimi_client.libcloud_driver) against the real server: the README's
example as it is written, libcloud's conventions, every compute call the driver serves,
states as libcloud's, and errors as libcloud's exceptions carrying the server's message. The
SSH key and user data are read back from the machine's OpenNebula CONTEXT as the
administrator."""
import base64
import os
import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ElementTree
import xmlrpc.client

import pytest
from libcloud.common.base import ConnectionUserAndKey, JsonResponse
from libcloud.common.types import InvalidCredsError, LibcloudError, ProviderError
from libcloud.compute import providers
from libcloud.compute.base import NodeAuthPassword, NodeAuthSSHKey, NodeDriver, NodeImage, NodeSize
from libcloud.compute.types import NodeState, StorageVolumeState

from cimi_client.client import ACTION, CIMI, short_id
from cimi_client.libcloud_driver import CimiNodeDriver
from cli_support import ed25519_key
from fake_cimi import FakeCimi
from support.lanes import STATE_WAIT_SECONDS
from support.servers import ROOT, free_port

SCRIPT = "#!/bin/sh\necho libcloud > /tmp/ready\n"
README_SECTION = "### Python programs: libcloud"
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


@pytest.fixture(scope="module")
def driver(cloud):
    return CimiNodeDriver(cloud.username, cloud.password, ex_entry_point=cloud.endpoint,
                          ex_wait_seconds=STATE_WAIT_SECONDS, ex_poll_seconds=0.2)


@pytest.fixture(scope="module")
def small(driver):
    return next(size for size in driver.list_sizes() if size.name == "t1.micro")


@pytest.fixture(scope="module")
def ttylinux(driver):
    (image,) = driver.list_images(ex_filter="name='ttylinux'")
    return image


@pytest.fixture
def made(driver):
    """What a test creates (nodes and volumes), destroyed at its end whatever happened."""
    nodes, volumes = [], []
    yield nodes, volumes
    for node in nodes:
        if any(listed.id == node.id for listed in driver.list_nodes()):
            driver.destroy_node(node)
    for volume in volumes:
        if any(listed.id == volume.id for listed in driver.list_volumes()):
            driver.destroy_volume(volume)


def running(driver, node):
    [(current, addresses)] = driver.wait_until_running([node], wait_period=0.2,
                                                       timeout=STATE_WAIT_SECONDS)
    return current, addresses


def node_named(driver, node):
    (current,) = [listed for listed in driver.list_nodes() if listed.id == node.id]
    return current


def vm_context(opennebula_process, node):
    one = xmlrpc.client.ServerProxy(opennebula_process.endpoint)
    answer = one.one.vm.info(opennebula_process.admin_session, int(short_id(node.id)))
    assert answer[0], answer
    context = ElementTree.fromstring(answer[1]).find("TEMPLATE/CONTEXT")
    return {child.tag: child.text for child in context}


def readme_section():
    return (ROOT / "README.md").read_text().split(README_SECTION, 1)[1]


def test_the_readme_installs_the_extra_the_package_declares():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert [requirement for requirement in project["optional-dependencies"]["libcloud"]
            if requirement.startswith("apache-libcloud")]
    assert "pip install -e '.[libcloud]'" in readme_section()


def test_the_readme_example_runs_as_it_is_written(cloud, driver):
    """The README's program, with the `CIMI_*` settings it reads naming the test cloud."""
    section = readme_section()
    program = PYTHON_BLOCK.search(section).group(1)
    settings = {"CIMI_ENDPOINT": cloud.endpoint, "CIMI_USERNAME": cloud.username,
                "CIMI_PASSWORD": cloud.password}
    ran = subprocess.run([sys.executable, "-c", program], env={**os.environ, **settings},
                         capture_output=True, text=True, timeout=4 * STATE_WAIT_SECONDS)
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[1] == "size: m1.small, 1 CPU, 128 MB RAM; image: ttylinux"
    assert re.fullmatch(r"node: libcloud-example is running at \d+\.\d+\.\d+\.\d+", lines[2])
    assert lines[3] == "volume: libcloud-example-data 1 GiB, attached"
    assert "libcloud-example" not in lines[4]
    assert not [volume for volume in driver.list_volumes()
                if volume.name == "libcloud-example-data"]


def test_the_driver_follows_libclouds_conventions(driver):
    assert issubclass(CimiNodeDriver, NodeDriver)
    assert (driver.type, driver.name, driver.website) == (
        "cimi", "DMTF CIMI", "https://www.dmtf.org/standards/cloud")
    assert issubclass(driver.connectionCls, ConnectionUserAndKey)
    assert issubclass(driver.connectionCls.responseCls, JsonResponse)
    assert driver.features["create_node"] == ["ssh_key"]


def test_the_driver_registers_under_its_provider_name_as_the_readme_says(monkeypatch):
    monkeypatch.setattr(providers, "DRIVERS", dict(providers.DRIVERS))
    providers.set_driver("cimi", "cimi_client.libcloud_driver", "CimiNodeDriver")
    assert providers.get_driver("cimi") is CimiNodeDriver
    assert 'set_driver("cimi", "cimi_client.libcloud_driver", "CimiNodeDriver")' in \
        readme_section()


def test_sizes_are_the_machine_configurations(driver, cloud):
    configurations = {configuration["id"]: configuration
                      for configuration in cloud.client().members("machineConfigs")}
    sizes = driver.list_sizes()
    assert {size.id for size in sizes} == set(configurations)
    for size in sizes:
        configuration = configurations[size.id]
        assert size.name == configuration["name"]
        assert size.ram == configuration["memory"] // 1024
        assert size.extra["cpu"] == configuration["cpu"]
        assert size.extra["swap"] == sum(disk["capacity"] for disk in configuration["disks"]
                                         if disk["format"] == "swap") // 1024
    large = next(size for size in sizes if size.name == "m1.large")
    assert (large.ram, large.disk, large.extra["cpu"], large.extra["swap"]) == (512, 0, 2, 1024)


def test_images_are_the_machine_images_and_can_be_filtered(driver, cloud):
    images = driver.list_images()
    assert {image.id for image in images} == {
        image["id"] for image in cloud.client().members("machineImages")}
    (ttylinux,) = driver.list_images(ex_filter="name='ttylinux'")
    assert ttylinux.name == "ttylinux" and ttylinux.extra["state"] == "AVAILABLE"


def test_the_cloud_is_one_location(driver, cloud):
    (location,) = driver.list_locations()
    assert location.id == cloud.endpoint and location.name


def test_a_node_is_created_waited_for_restarted_stopped_started_and_destroyed(
        driver, small, ttylinux, made, opennebula_process):
    key = ed25519_key(21, "libcloud@test")
    node = driver.create_node("libcloud-life", small, ttylinux, auth=NodeAuthSSHKey(key),
                              ex_userdata=SCRIPT)
    made[0].append(node)
    assert node.name == "libcloud-life"
    assert node.state in (NodeState.PENDING, NodeState.RUNNING)
    assert node.extra["machineImage"] == ttylinux.id
    context = vm_context(opennebula_process, node)
    assert context["SSH_PUBLIC_KEY"] == key
    assert base64.b64decode(context["USER_DATA"]).decode() == SCRIPT

    current, addresses = running(driver, node)
    assert current.state == NodeState.RUNNING and addresses == current.public_ips
    assert current.extra["state"] == "STARTED"

    assert driver.reboot_node(current) is True
    assert driver.stop_node(current) is True
    assert node_named(driver, node).state == NodeState.STOPPED
    assert driver.start_node(current) is True
    assert running(driver, node)[0].state == NodeState.RUNNING

    assert driver.destroy_node(current) is True
    assert node.id not in [listed.id for listed in driver.list_nodes()]


def test_volumes_are_created_attached_detached_and_destroyed(driver, small, ttylinux, made):
    nodes, volumes = made
    volume = driver.create_volume(1, "libcloud-hot")
    volumes.append(volume)
    assert (volume.name, volume.size, volume.state) == ("libcloud-hot", 1,
                                                       StorageVolumeState.AVAILABLE)
    assert volume.id in [listed.id for listed in driver.list_volumes()]
    node = driver.create_node("libcloud-volumes", small, ttylinux)
    nodes.append(node)
    running(driver, node)

    assert driver.attach_volume(node, volume, device="/dev/vdc") is True
    (attached,) = [listed for listed in driver.list_volumes() if listed.id == volume.id]
    assert attached.state == StorageVolumeState.INUSE and attached.extra["users"] == 1
    assert driver.detach_volume(volume) is True
    with pytest.raises(LibcloudError, match="not attached to any of your machines"):
        driver.detach_volume(volume)

    assert driver.destroy_volume(volume) is True
    assert volume.id not in [listed.id for listed in driver.list_volumes()]


def test_volumes_attached_at_creation_and_detached_from_the_node_given(
        driver, small, ttylinux, made):
    nodes, volumes = made
    data = driver.create_volume(1, "libcloud-data")
    volumes.append(data)
    node = driver.create_node("libcloud-with-data", small, ttylinux, ex_volumes=[data])
    nodes.append(node)
    running(driver, node)
    (attached,) = [listed for listed in driver.list_volumes() if listed.id == data.id]
    assert attached.extra["users"] == 1
    with pytest.raises(ProviderError, match="detach it") as refused:
        driver.destroy_volume(data)
    assert refused.value.http_code == 409
    assert driver.detach_volume(data, ex_node=node) is True


def test_wrong_credentials_raise_invalid_creds_with_the_servers_message(cloud):
    stranger = CimiNodeDriver(cloud.username, "wrong", ex_entry_point=cloud.endpoint)
    with pytest.raises(InvalidCredsError) as refused:
        stranger.list_nodes()
    assert refused.value.http_code == 401
    assert refused.value.value and "<" not in refused.value.value


def test_unknown_sizes_and_images_are_refused_with_the_servers_message(
        driver, small, ttylinux, made):
    base = ttylinux.id.rpartition("/machineImages/")[0]
    unknown_image = NodeImage(f"{base}/machineImages/987654", "nowhere", driver)
    unknown_size = NodeSize(f"{base}/machineConfigs/987654", "nothing", 1, 0, None, None,
                            driver)
    for size, image, named in ((small, unknown_image, "machineImage"),
                               (unknown_size, ttylinux, "machineConfig")):
        with pytest.raises(ProviderError) as refused:
            made[0].append(driver.create_node("libcloud-unknown", size, image))
        assert refused.value.http_code == 400 and named in refused.value.value
    assert not [node for node in driver.list_nodes() if node.name == "libcloud-unknown"]


def test_refusals_of_the_client_are_libcloud_errors(driver, small, ttylinux, made):
    with pytest.raises(LibcloudError, match="Password"):
        driver.create_node("libcloud-password", small, ttylinux,
                           auth=NodeAuthPassword("secret"))
    node = driver.create_node("libcloud-refused", small, ttylinux)
    made[0].append(node)
    running(driver, node)
    with pytest.raises(LibcloudError, match="no start operation on libcloud-refused in state "
                                            "STARTED"):
        driver.start_node(node)


def test_an_unreachable_cloud_is_a_libcloud_error():
    endpoint = f"http://127.0.0.1:{free_port()}/cimi/cloudEntryPoint"
    with pytest.raises(LibcloudError, match="Cannot reach .*127.0.0.1"):
        CimiNodeDriver("demo", "demo", ex_entry_point=endpoint).list_sizes()


def test_credentials_go_only_to_the_entry_points_server(driver):
    with pytest.raises(LibcloudError, match="another server"):
        driver.connection.morph_action_hook("http://elsewhere.example/cimi/machines")
    assert driver.connection.morph_action_hook(driver.entry_point_url + "?$first=1") == \
        "/cimi/cloudEntryPoint?$first=1"


def test_the_entry_point_is_required():
    with pytest.raises(ValueError, match="ex_entry_point"):
        CimiNodeDriver("demo", "demo")


def test_a_failed_job_is_a_libcloud_error_with_its_reason(driver, small, ttylinux, made,
                                                          onesim_process):
    node = driver.create_node("libcloud-failing", small, ttylinux)
    made[0].append(node)
    running(driver, node)
    driver.stop_node(node)
    onesim_process.fail_boots(1)
    try:
        with pytest.raises(LibcloudError) as failed:
            driver.start_node(node)
    finally:
        onesim_process.clear_faults()     # the emulator serves the later tests of this worker
    assert failed.value.value


# --- against a scripted server ----------------------------------------------------------------

@pytest.fixture
def fake():
    with FakeCimi() as server:
        server.document("/cimi", {"resourceURI": CIMI + "CloudEntryPoint",
                                  "id": server.url("/cimi"),
                                  "machines": {"href": server.url("/cimi/machines")}})
        yield server


def scripted_driver(fake, wait_seconds=STATE_WAIT_SECONDS):
    return CimiNodeDriver("alice", "secret", ex_entry_point=fake.url("/cimi"),
                          ex_wait_seconds=wait_seconds, ex_poll_seconds=0.01)


def test_a_proxys_plain_text_error_is_a_provider_error_with_its_first_line(fake):
    fake.route("GET", "/cimi/machines", lambda request: (
        502, {"Content-Type": "text/plain"}, b"upstream is down\nretry later\n"))
    with pytest.raises(ProviderError) as refused:
        scripted_driver(fake).list_nodes()
    assert refused.value.http_code == 502
    assert refused.value.value == "502 Bad Gateway: upstream is down"
    assert fake.requests[0].headers["Authorization"] == "Basic " + base64.b64encode(
        b"alice:secret").decode()


def test_a_job_that_does_not_end_in_time_is_a_libcloud_error_naming_it(fake):
    machine = {"id": fake.url("/cimi/machines/1"), "name": "slow", "state": "STARTED",
               "operations": [{"rel": ACTION + "restart", "href": fake.url("/cimi/machines/1")}]}
    fake.document("/cimi/machines/1", machine)
    fake.route("POST", "/cimi/machines/1", lambda request: (
        202, {"CIMI-Job-URI": fake.url("/cimi/jobs/1")}, b""))
    fake.document("/cimi/jobs/1", {"id": fake.url("/cimi/jobs/1"), "state": "RUNNING",
                                   "statusMessage": "Machine 1 is rebooting."})
    fake.document("/cimi/machines", {"count": 1, "machines": [machine]})
    driver = scripted_driver(fake, wait_seconds=0)
    (node,) = driver.list_nodes()
    with pytest.raises(LibcloudError, match="jobs/1 is still RUNNING after 0 s .*: Machine 1 is "
                                            "rebooting"):
        driver.reboot_node(node)
    (posted,) = [request for request in fake.requests if request.method == "POST"]
    assert posted.body == {"resourceURI": CIMI + "Action", "action": ACTION + "restart"}
