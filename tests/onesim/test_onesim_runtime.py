"""Persistence across restarts, concurrent calls, fault injection and pool size."""
import threading
import xmlrpc.client

import pyone
import pytest
import requests
from lxml import etree

from onesim.images import Image
from onesim.testing import running_onesim

READY, LOCKED = 1, 4


def test_a_restart_loses_nothing(tmp_path, wait_for):
    with running_onesim(data_dir=tmp_path) as first:
        admin_session = first.admin_session
        admin = pyone.OneServer(first.endpoint, session=admin_session)
        uid = admin.user.allocate("keeper", "pw", "", [])
        keeper = pyone.OneServer(first.endpoint, session="keeper:pw")
        image_id = keeper.image.allocate('NAME="kept"\nTYPE=DATABLOCK\nSIZE=5\nCIMI_DESCRIPTION="x"', 1)
        wait_for(lambda: keeper.image.info(image_id).STATE == READY)
        document_id = keeper.document.allocate('NAME="doc"\nA="1"', 7)
        keeper.image.chmod(image_id, -1, -1, -1, 1, -1, -1, -1, -1, -1)
    with running_onesim(data_dir=tmp_path) as second:
        assert second.admin_session == admin_session
        keeper = pyone.OneServer(second.endpoint, session="keeper:pw")
        image = keeper.image.info(image_id)
        assert (image.NAME, image.STATE, image.SIZE, image.UID, image.PERMISSIONS.GROUP_U) == (
            "kept", READY, 5, uid, 1)
        assert image.TEMPLATE["CIMI_DESCRIPTION"] == "x"
        assert keeper.document.info(document_id).TEMPLATE["A"] == "1"
        assert [u.NAME for u in pyone.OneServer(second.endpoint, session=admin_session).userpool.info().USER
                ].count("demo") == 1
        assert keeper.image.allocate('NAME="next"\nTYPE=DATABLOCK\nSIZE=1', 1) > image_id


def test_an_image_locked_at_shutdown_becomes_ready_after_restart(tmp_path, wait_for):
    with running_onesim(data_dir=tmp_path, speed=0.0001) as first:
        demo = pyone.OneServer(first.endpoint, session=first.demo_session)
        image_id = demo.image.allocate('NAME="slow"\nTYPE=DATABLOCK\nSIZE=1', 1)
        assert demo.image.info(image_id).STATE == LOCKED
    with running_onesim(data_dir=tmp_path) as second:
        demo = pyone.OneServer(second.endpoint, session=second.demo_session)
        wait_for(lambda: demo.image.info(image_id).STATE == READY)


def test_concurrent_calls_are_safe(sim, unique):
    prefix = unique("parallel")
    created, errors = [], []

    def worker(number):
        client = pyone.OneServer(sim.endpoint, session=sim.demo_session)
        try:
            for index in range(15):
                created.append(client.image.allocate(
                    f'NAME="{prefix}-{number}-{index}"\nTYPE=DATABLOCK\nSIZE=1', 1))
                client.imagepool.info(-3, -1, -1)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(created) == len(set(created)) == 90
    demo = pyone.OneServer(sim.endpoint, session=sim.demo_session)
    names = [image.NAME for image in demo.imagepool.info(-3, -1, -1).IMAGE if image.NAME.startswith(prefix)]
    assert len(names) == 90


def test_injected_failures_hit_the_next_calls_only(sim, demo):
    sim.fail_next("one.image.info", 2, 0x8000, "The resource image is locked. [0].")
    for _ in range(2):
        with pytest.raises(pyone.OneException, match=r"\[one.image.info\] The resource image is locked. \[0\]."):
            demo.image.info(0)
    assert demo.image.info(0).ID == 0


def test_injected_failures_need_a_valid_session_first(sim, raw):
    sim.fail_next("one.system.version", 1, 0x800)
    assert raw("demo:wrong").system.version()[2] == 0x100
    assert raw(sim.demo_session).system.version()[2] == 0x800
    assert raw(sim.demo_session).system.version()[0] is True


def test_delays_still_answer(sim, demo):
    sim.delay("one.system.version", 0.05)
    try:
        assert sim.faults.delay_for("one.system.version") == 0.05
        assert demo.system.version() == "7.0.2"
    finally:
        sim.delay("one.system.version", 0)
    assert sim.faults.delay_for("one.system.version") == 0


def test_boot_failures_are_handed_out_once_each(sim):
    sim.fail_boots(2)
    assert [sim.faults.take_boot_failure() for _ in range(3)] == [True, True, False]


def test_unreachable_server_refuses_connections_then_comes_back(sim, demo):
    sim.set_reachable(False)
    try:
        with pytest.raises(requests.exceptions.ConnectionError):
            demo.system.version()
    finally:
        sim.set_reachable(True)
    assert demo.system.version() == "7.0.2"


def test_the_control_endpoint_refuses_normal_users(sim):
    control = xmlrpc.client.ServerProxy(sim.onesim.control.url)
    envelope = control.onesim.fail_next(sim.demo_session, "one.system.version", 1, 0x800, "x")
    assert envelope[0] is False and envelope[2] == 0x200
    assert control.onesim.fail_next("demo:wrong", "one.system.version", 1, 0x800, "x")[2] == 0x100
    assert sim.faults.take_failure("one.system.version") is None


def test_no_user_method_reaches_fault_injection(sim, raw):
    with pytest.raises(xmlrpc.client.Fault):
        raw(sim.admin_session).onesim.fail_next("one.system.version", 1, 0x800)


def test_pool_calls_use_the_cached_xml(sim, raw, monkeypatch):
    calls = []
    monkeypatch.setattr(Image, "render", lambda self: calls.append(self.id) or "")
    answer = raw(sim.admin_session).imagepool.info(-2, -1, -1)
    assert answer[0] is True and calls == []


def test_ten_thousand_images(tmp_path):
    with running_onesim(data_dir=tmp_path, seed="none") as handle:
        emulator = handle.emulator
        datastore = emulator.pool("datastore").get(1)
        with emulator.transaction():
            for number in range(10_000):
                image = Image(f"bulk-{number}", 2, datastore, 1)
                image.transfer = None
                emulator.pool("image").add(image)
        session = handle.admin_session
        server = xmlrpc.client.ServerProxy(handle.endpoint)
        everything = etree.fromstring(server.one.imagepool.info(session, -2, -1, -1)[1])
        assert len(everything) == 10_000
        page = etree.fromstring(server.one.imagepool.info(session, -2, 100, -50)[1])
        assert [int(id_.text) for id_ in page.findall("IMAGE/ID")] == list(range(9899, 9849, -1))
        assert server.one.image.info(session, 5000)[0] is True


def test_unreachable_also_cuts_kept_alive_connections(sim):
    with requests.Session() as pooled:
        body = xmlrpc.client.dumps((sim.demo_session,), "one.system.version")
        assert pooled.post(sim.endpoint, data=body, timeout=30).status_code == 200
        sim.set_reachable(False)
        try:
            with pytest.raises(requests.exceptions.ConnectionError):
                pooled.post(sim.endpoint, data=body, timeout=30)
        finally:
            sim.set_reachable(True)
        assert pooled.post(sim.endpoint, data=body, timeout=30).status_code == 200
