"""`python -m onesim` as a process, driven by a plain pyone client (end to end)."""
import signal
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

import pyone
import pytest
import requests

from onesim.hypervisor import Hypervisor
from onesim.testing import running_onesim

PROJECT = Path(__file__).resolve().parents[2]
READY = 1


def test_help_lists_the_options():
    result = subprocess.run([sys.executable, "-m", "onesim", "--help"], cwd=PROJECT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    for option in ("--host", "--port", "--data-dir", "--seed", "--speed", "--no-shareable-disks",
                   "--no-keep-snapshots"):
        assert option in result.stdout


def test_the_hypervisor_capabilities_reach_the_process():
    with running_onesim(in_process=False, hypervisor=Hypervisor(support_shareable=False)) as handle:
        config = xmlrpc.client.ServerProxy(handle.endpoint).one.system.config(handle.admin_session)[1]
    assert Hypervisor(support_shareable=False).vm_mad_xml() in config


def test_start_prints_the_endpoint_and_the_demo_credentials(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "onesim", "--port", "0", "--data-dir", str(tmp_path), "--seed", "demo"],
        cwd=PROJECT, stdout=subprocess.PIPE, text=True)
    try:
        lines = [process.stdout.readline() for _ in range(3)]
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert lines[0].startswith("onesim http://127.0.0.1:") and "/RPC2" in lines[0]
    assert lines[2].strip() == "demo user: demo:demo"
    assert (tmp_path / "one_auth").read_text().startswith("oneadmin:")
    assert process.returncode == 0


@pytest.mark.parametrize("first, second", [(signal.SIGINT, signal.SIGTERM),
                                           (signal.SIGTERM, signal.SIGINT)])
def test_two_stop_signals_at_once_stop_it_promptly(tmp_path, first, second):
    """A terminal's Ctrl-C reaches the emulator together with the SIGTERM of the `make run`
    that started it: both at once, right after the banner, still stop it within seconds."""
    for attempt in range(3):
        process = subprocess.Popen(
            [sys.executable, "-m", "onesim", "--port", "0", "--data-dir",
             str(tmp_path / str(attempt))], cwd=PROJECT, stdout=subprocess.PIPE, text=True)
        try:
            process.stdout.readline()
            process.send_signal(first)
            process.send_signal(second)
            assert process.wait(timeout=10) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


# Slow enough that a new image is still LOCKED when the next call arrives, even on a
# loaded machine (its copy takes TRANSFER_DELAY / PROCESS_SPEED = 0.2 s).
PROCESS_SPEED = 5.0


@pytest.fixture(scope="module")
def process_sim():
    with running_onesim(in_process=False, speed=PROCESS_SPEED) as handle:
        yield handle


def wait_ready(client, image_id):
    deadline = time.monotonic() + 60
    while client.image.info(image_id).STATE != READY:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_pyone_walks_images_and_sees_oneds_errors(process_sim):
    admin = pyone.OneServer(process_sim.endpoint, session=process_sim.admin_session)
    demo = pyone.OneServer(process_sim.endpoint, session=process_sim.demo_session)
    assert admin.system.version() == "7.0.2"
    volume = demo.image.allocate('NAME="volume"\nTYPE="DATABLOCK"\nSIZE="10"\nFORMAT="raw"', 1)
    os_image = demo.image.allocate({"TEMPLATE": {"NAME": "my-os", "TYPE": "OS", "PATH": "/var/tmp/os.img"}}, 1)
    with pytest.raises(pyone.OneInternalException, match=r"Could not disable image: Image cannot be in state LOCKED."):
        demo.image.enable(os_image, False)
    for image_id in (volume, os_image):
        wait_ready(demo, image_id)
    assert {image.NAME for image in demo.imagepool.info(-3, -1, -1).IMAGE} == {"volume", "my-os"}
    with pytest.raises(pyone.OneNoExistsException, match=r"\[one.image.info\] Error getting image \[4242\]."):
        demo.image.info(4242)
    admin.user.allocate("other", "other-pw", "", [])
    other = pyone.OneServer(process_sim.endpoint, session="other:other-pw")
    with pytest.raises(pyone.OneAuthorizationException,
                       match=rf"Not authorized to perform USE IMAGE \[{volume}\]."):
        other.image.info(volume)


def test_faults_through_the_control_endpoint(process_sim):
    demo = pyone.OneServer(process_sim.endpoint, session=process_sim.demo_session)
    process_sim.fail_next("one.image.info", 1, 0x400, "Error getting image [0].")
    with pytest.raises(pyone.OneNoExistsException):
        demo.image.info(0)
    assert demo.image.info(0).ID == 0
    process_sim.set_reachable(False)
    try:
        with pytest.raises(requests.exceptions.ConnectionError):
            demo.system.version()
    finally:
        process_sim.set_reachable(True)
    process_sim.delay("*", 0.01)
    process_sim.fail_boots(1)
    process_sim.clear_faults()
    assert demo.system.version() == "7.0.2"
