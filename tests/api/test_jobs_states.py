"""How a Job's state follows its target: the expectation tables applied to observed states,
without OpenNebula (the API tests drive the same through onesim)."""
import pytest

from app.one.outcomes import EXPECTATIONS, FAILED, IMAGE, SUCCESS, VM
from app.one.records import Document, Owner, Permissions
from app.services import jobs

DEMO = Owner(uid=5, uname="demo", gid=1, gname="users")


def job_document(expectation, kind=VM, **extra):
    expected = EXPECTATIONS[expectation]
    template = {"TARGET_KIND": kind, "TARGET_ID": "7", "CIMI_CREATED": "1700000000",
                "SUCCESS_STATES": " ".join(expected.success),
                "FAILURE_STATES": " ".join(expected.failure),
                "QUEUED_STATES": " ".join(expected.queued), "WHEN_GONE": expected.gone,
                **extra}
    return Document(id=1, name="job", owner=DEMO, permissions=Permissions(), type=8005,
                    template=template)


def seen(state, error="", disk_ids=(), image_ids=()):
    return jobs._Observation(state, error, frozenset(disk_ids), frozenset(image_ids))


@pytest.mark.parametrize("expectation, state, expected", [
    ("started", "PENDING", "QUEUED"),
    ("started", "HOLD", "QUEUED"),
    ("started", "PROLOG", "RUNNING"),
    ("started", "BOOT_POWEROFF", "RUNNING"),
    ("started", "RUNNING", SUCCESS),
    ("started", "BOOT_FAILURE", FAILED),
    ("started", "UNKNOWN", FAILED),
    ("stopped", "SHUTDOWN_POWEROFF", "RUNNING"),
    ("stopped", "POWEROFF", SUCCESS),
    ("suspended", "SAVE_SUSPEND", "RUNNING"),
    ("suspended", "SUSPENDED", SUCCESS),
    ("deleted", "EPILOG", "RUNNING"),
    ("deleted", "EPILOG_FAILURE", FAILED),
    ("settled", "HOTPLUG", "RUNNING"),
    ("settled", "POWEROFF", SUCCESS),
])
def test_vm_states(expectation, state, expected):
    status = jobs._status(job_document(expectation), seen(state))
    assert status.state == expected
    assert state in status.message


@pytest.mark.parametrize("expectation, expected", [
    ("deleted", SUCCESS), ("started", FAILED), ("settled", FAILED)])
def test_a_vanished_vm(expectation, expected):
    status = jobs._status(job_document(expectation), None)
    assert status.state == expected
    assert "no longer exists" in status.message


@pytest.mark.parametrize("expectation, state, expected", [
    ("image_ready", "LOCKED", "RUNNING"),
    ("image_ready", "READY", SUCCESS),
    ("image_ready", "USED", SUCCESS),
    ("image_ready", "ERROR", FAILED),
    ("image_deleted", "DELETE", "RUNNING"),
    ("image_deleted", "ERROR", FAILED),
])
def test_image_states(expectation, state, expected):
    assert jobs._status(job_document(expectation, IMAGE), seen(state)).state == expected


def test_a_failure_quotes_opennebula_s_error():
    status = jobs._status(job_document("started"), seen("BOOT_FAILURE", "Error deploying"))
    assert status.message.endswith("BOOT_FAILURE: Error deploying")


def test_an_attach_succeeds_only_with_the_disk_attached():
    document = job_document("settled", ATTACHED_IMAGE="4")
    assert jobs._status(document, seen("RUNNING", image_ids=[1, 4])).state == SUCCESS
    missing = jobs._status(document, seen("RUNNING", image_ids=[1]))
    assert missing.state == FAILED
    assert "no disk of image 4" in missing.message


def test_a_detach_succeeds_only_with_the_disk_gone():
    document = job_document("settled", DETACHED_DISK="2")
    assert jobs._status(document, seen("POWEROFF", disk_ids=[0, 1])).state == SUCCESS
    assert jobs._status(document, seen("POWEROFF", disk_ids=[0, 2])).state == FAILED


def test_running_and_queued_date_from_the_job_s_creation():
    assert jobs._status(job_document("started"), seen("PROLOG")).time == 1700000000
    assert jobs._status(job_document("started"), seen("PENDING")).time == 1700000000


def test_an_expectation_for_another_kind_of_target_is_a_programming_error():
    with pytest.raises(ValueError):
        jobs._allocate(None, jobs.Target(VM, 3, ("machines", 3)), "capture", "image_ready", ())


# As a real oned 7.0.2 wrote them (dummy driver failing a deploy; the scheduler with no room).
OLD_ERROR = "Sat Dec  5 03:01:39 2026: DEPLOY: localhost:will-fail:dummy"
NEW_ERROR = "Sat Dec  5 03:20:02 2026: DEPLOY: localhost:will-fail:dummy"
NO_ROOM = "Sat Dec  5 03:00:26 2026: Cannot allocate VM. Not enough capacity in hosts 0"


def test_a_start_whose_boot_fails_back_in_poweroff_fails_with_the_new_error():
    """oned puts a powered-off VM whose boot failed back in POWEROFF, with a new ERROR."""
    document = job_document("started", WATCHES_ERROR="YES", PRIOR_ERROR=OLD_ERROR)
    status = jobs._status(document, seen("POWEROFF", NEW_ERROR))
    assert (status.state, status.message) == (FAILED, f"OpenNebula VM 7 is POWEROFF: {NEW_ERROR}")


@pytest.mark.parametrize("prior, now", [(OLD_ERROR, OLD_ERROR), (None, "")])
def test_an_error_the_vm_already_had_is_no_failure(prior, now):
    extra = {"PRIOR_ERROR": prior} if prior else {}
    document = job_document("started", WATCHES_ERROR="YES", **extra)
    assert jobs._status(document, seen("BOOT_POWEROFF", now)).state == "RUNNING"
    assert jobs._status(document, seen("RUNNING", now)).state == SUCCESS


def test_a_job_made_before_errors_were_watched_ignores_them():
    assert jobs._status(job_document("started"), seen("POWEROFF", NEW_ERROR)).state == "RUNNING"


def test_a_failed_hot_plug_says_what_the_driver_said():
    document = job_document("settled", ATTACHED_IMAGE="4", WATCHES_ERROR="YES")
    status = jobs._status(document, seen("RUNNING", NEW_ERROR, image_ids=[1]))
    assert status.state == FAILED
    assert status.message.endswith(f"no disk of image 4 is attached: {NEW_ERROR}")


def test_a_job_waiting_for_the_scheduler_says_what_it_said():
    status = jobs._status(job_document("started"), jobs._Observation("PENDING", "",
                                                                      waiting=NO_ROOM))
    assert (status.state, status.message) == (
        "QUEUED", f"OpenNebula VM 7 is PENDING: waiting to be scheduled: {NO_ROOM}")
    plain = jobs._status(job_document("started"), seen("PENDING"))
    assert plain.message == "OpenNebula VM 7 is PENDING: waiting to be scheduled."


# --- Jobs whose server did not record that OpenNebula accepted the action ------------------

RECOVERY = 60
NOW = 1700000000 + 10


def unconfirmed(expectation="stopped", mark="3:3:0:0", created=1700000000):
    """A Job written before its action; its server died (or could not write DISPATCHED)."""
    return job_document(expectation, TARGET_MARK=mark, CIMI_CREATED=str(created))


def seen_marked(state, mark, changed_at=1700000001):
    return jobs._Observation(state, "", mark=mark, changed_at=changed_at)


@pytest.fixture
def clock(monkeypatch):
    def at(now):
        monkeypatch.setattr(jobs.time, "time", lambda: now)
    return at


def test_an_unconfirmed_job_waits_while_its_target_has_not_changed(clock):
    clock(NOW)
    status = jobs._status(unconfirmed(), seen_marked("RUNNING", "3:3:0:0"), RECOVERY)
    assert status.state == "RUNNING"
    assert "waiting for OpenNebula to accept" in status.message


def test_an_unconfirmed_job_fails_once_the_recovery_time_passed_unchanged(clock):
    clock(1700000000 + RECOVERY + 1)
    status = jobs._status(unconfirmed(), seen_marked("RUNNING", "3:3:0:0"), RECOVERY)
    assert status.state == FAILED
    assert "did not reach OpenNebula" in status.message


def test_an_unconfirmed_job_succeeds_from_a_change_in_time(clock):
    clock(1700000000 + RECOVERY + 1)
    status = jobs._status(unconfirmed(), seen_marked("POWEROFF", "8:0:0:9"), RECOVERY)
    assert status.state == SUCCESS


def test_an_unconfirmed_job_does_not_succeed_from_a_later_change(clock):
    """Another stop long after the Job's action should have come is not its success."""
    later = 1700000000 + RECOVERY + 30
    clock(later + 5)
    status = jobs._status(unconfirmed(), seen_marked("POWEROFF", "8:0:1:9", later), RECOVERY)
    assert status.state == FAILED
    assert "changed later, by another operation" in status.message


def test_an_unconfirmed_job_that_has_not_ended_in_time_fails(clock):
    """The target changed (e.g. the scheduler deployed it) but never as the Job expected."""
    clock(1700000000 + RECOVERY + 1)
    status = jobs._status(unconfirmed("deleted", mark="1:0:-"), seen_marked("RUNNING", "3:3:0:0"),
                          RECOVERY)
    assert status.state == FAILED
    assert "has not ended within 60 seconds" in status.message


def test_an_unconfirmed_deletion_whose_target_is_gone_succeeds(clock):
    clock(1700000000 + RECOVERY + 1)
    status = jobs._status(unconfirmed("deleted", mark="3:3:0:0"), None, RECOVERY)
    assert status.state == SUCCESS


def test_a_confirmed_job_follows_its_target_whatever_the_time(clock):
    clock(1700000000 + 10 * RECOVERY)
    document = job_document("stopped", TARGET_MARK="3:3:0:0", DISPATCHED="1700000001")
    assert jobs._status(document, seen_marked("SHUTDOWN_POWEROFF", "3:3:0:0"),
                        RECOVERY).state == "RUNNING"
