"""State and action tables: complete, and consistent with OpenNebula's rules (reference §2.3)."""
import pytest

from app.one import states
from app.one.states import (
    ACTIVE, LCM_NUMBERS, LCM_STATES, MACHINE_ACTIONS, STATE_NUMBERS, VM_STATES,
    machine_actions, machine_image_state, machine_state, one_action_for, volume_state,
)

CIMI_MACHINE_STATES = {
    "CREATING", "STARTING", "STARTED", "STOPPING", "STOPPED", "PAUSING", "PAUSED",
    "SUSPENDING", "SUSPENDED", "CAPTURING", "RESTORING", "DELETING", "DELETED", "ERROR"}


def lcm(name):
    return ACTIVE, LCM_NUMBERS[name]


def plain(name):
    return STATE_NUMBERS[name], 0


R, U = lcm("RUNNING"), lcm("UNKNOWN")
EVERY_VM_STATE = [plain(name) for name in VM_STATES.values() if name != "ACTIVE"] + [
    (ACTIVE, number) for number in LCM_STATES]


def test_lcm_table_matches_oned_numbering():
    assert len(LCM_STATES) == 68
    assert max(LCM_STATES) == 71
    assert not {13, 14, 55, 58} & set(LCM_STATES)
    assert LCM_STATES[69] == "BACKUP" and LCM_STATES[71] == "RESTORE"
    assert VM_STATES[11] == "CLONING_FAILURE"


def test_every_state_has_a_cimi_machine_state():
    assert set(states.MACHINE_STATE_BY_LCM) == set(LCM_STATES.values())
    assert set(states.MACHINE_STATE_BY_STATE) == set(VM_STATES.values()) - {"ACTIVE"}
    for state, lcm_state in EVERY_VM_STATE:
        assert machine_state(state, lcm_state) in CIMI_MACHINE_STATES


@pytest.mark.parametrize("pair, expected", [
    (plain("PENDING"), "CREATING"), (lcm("PROLOG"), "CREATING"), (lcm("BOOT"), "CREATING"),
    (lcm("BOOT_POWEROFF"), "STARTING"), (lcm("BOOT_SUSPENDED"), "STARTING"),
    (R, "STARTED"), (lcm("SHUTDOWN_POWEROFF"), "STOPPING"), (plain("POWEROFF"), "STOPPED"),
    (plain("STOPPED"), "STOPPED"), (plain("UNDEPLOYED"), "STOPPED"), (plain("HOLD"), "STOPPED"),
    (lcm("SAVE_SUSPEND"), "SUSPENDING"), (plain("SUSPENDED"), "SUSPENDED"),
    (lcm("SHUTDOWN"), "DELETING"), (lcm("EPILOG"), "DELETING"),
    (lcm("CLEANUP_DELETE"), "DELETING"), (lcm("BOOT_FAILURE"), "ERROR"), (U, "ERROR"),
    (plain("CLONING_FAILURE"), "ERROR"), (plain("DONE"), "DELETED"),
    (lcm("HOTPLUG"), "STARTED"), (lcm("HOTPLUG_PROLOG_POWEROFF"), "STOPPED"),
    (lcm("HOTPLUG_SAVEAS"), "CAPTURING"), (lcm("HOTPLUG_SAVEAS_POWEROFF"), "CAPTURING"),
    (lcm("DISK_SNAPSHOT_REVERT_POWEROFF"), "RESTORING"), (lcm("RESTORE"), "RESTORING"),
])
def test_machine_state_examples(pair, expected):
    assert machine_state(*pair) == expected


def test_unknown_numbers_are_errors_not_guesses():
    assert machine_state(ACTIVE, 99) == "ERROR"
    assert machine_state(42, 0) == "ERROR"
    assert machine_actions(ACTIVE, 99) == ()


def test_lcm_state_is_ignored_outside_active():
    assert machine_state(STATE_NUMBERS["POWEROFF"], 3) == "STOPPED"
    assert one_action_for("start", STATE_NUMBERS["POWEROFF"], 3) == "resume"


# What §2.3 says each one.vm.action accepts, as (STATE, LCM) pairs.
FAILURES = [lcm(name) for name in LCM_STATES.values() if name.endswith("_FAILURE")]
NOT_RUNNING = [plain(name) for name in ("SUSPENDED", "POWEROFF", "STOPPED", "UNDEPLOYED",
                                        "INIT", "PENDING", "HOLD", "CLONING", "CLONING_FAILURE")]
ONED_ALLOWS = {
    "resume": {plain("STOPPED"), plain("UNDEPLOYED"), plain("SUSPENDED"), plain("POWEROFF"), U},
    "release": {plain("HOLD")},
    "poweroff": {R, U},
    "poweroff-hard": {R, U, lcm("SHUTDOWN_POWEROFF")},
    "reboot": {R},
    "reboot-hard": {R},
    "suspend": {R},
    "terminate": {R, U, *NOT_RUNNING, *FAILURES},
    "terminate-hard": {R, U, lcm("SHUTDOWN"), *NOT_RUNNING, *FAILURES},
    "disksaveas": {R, *(plain(name) for name in ("POWEROFF", "SUSPENDED", "UNDEPLOYED",
                                                 "STOPPED"))},
    "snapshotcreate": {R},
    "snapshotrevert": {R},
    "disksnapshotcreate": {R, plain("POWEROFF"), plain("SUSPENDED")},
    "disksnapshotrevert": {plain("POWEROFF")},
}


def test_every_action_row_is_legal_in_oned():
    for row in MACHINE_ACTIONS:
        assert row.allowed <= ONED_ALLOWS[row.one_action], row


@pytest.mark.parametrize("action, force, pair, expected", [
    ("start", False, plain("POWEROFF"), "resume"),
    ("start", False, plain("SUSPENDED"), "resume"),
    ("start", False, plain("STOPPED"), "resume"),
    ("start", False, plain("UNDEPLOYED"), "resume"),
    ("start", False, U, "resume"),
    ("start", False, plain("HOLD"), "release"),
    ("start", True, plain("HOLD"), "release"),
    ("start", False, R, None),
    ("stop", False, R, "poweroff"),
    ("stop", True, R, "poweroff-hard"),
    ("stop", True, lcm("SHUTDOWN_POWEROFF"), "poweroff-hard"),
    ("stop", False, lcm("SHUTDOWN_POWEROFF"), None),
    ("stop", False, plain("POWEROFF"), None),
    ("restart", False, R, "reboot"),
    ("restart", True, R, "reboot-hard"),
    ("restart", False, plain("POWEROFF"), None),
    ("suspend", False, R, "suspend"),
    ("suspend", True, R, "suspend"),
    ("suspend", False, plain("POWEROFF"), None),
    ("delete", False, R, "terminate"),
    ("delete", False, plain("POWEROFF"), "terminate"),
    ("delete", False, plain("PENDING"), "terminate"),
    ("delete", False, lcm("BOOT_FAILURE"), "terminate-hard"),
    ("delete", False, lcm("SHUTDOWN"), None),
    ("delete", True, lcm("SHUTDOWN"), "terminate-hard"),
    ("delete", True, R, "terminate-hard"),
    ("delete", False, plain("DONE"), None),
    ("delete", False, lcm("HOTPLUG"), None),
    ("capture", False, R, "disksaveas"),
    ("capture", False, plain("STOPPED"), "disksaveas"),
    ("capture", False, lcm("SHUTDOWN_POWEROFF"), None),
    ("capture", False, plain("PENDING"), None),
    ("snapshot", False, R, "snapshotcreate"),
    ("snapshot", False, plain("POWEROFF"), "disksnapshotcreate"),
    ("snapshot", False, plain("SUSPENDED"), "disksnapshotcreate"),
    ("snapshot", False, plain("STOPPED"), None),
    ("restore", False, R, "snapshotrevert"),
    ("restore", False, plain("POWEROFF"), "disksnapshotrevert"),
    ("restore", False, plain("SUSPENDED"), None),
])
def test_one_action_for(action, force, pair, expected):
    assert one_action_for(action, *pair, force=force) == expected


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        one_action_for("explode", *R)


def test_snapshot_deletion_states():
    assert states.can_delete_snapshot("snapshotdelete", *R)
    assert not states.can_delete_snapshot("snapshotdelete", *plain("POWEROFF"))
    for pair in (R, plain("POWEROFF"), plain("SUSPENDED")):
        assert states.can_delete_snapshot("disksnapshotdelete", *pair)
    assert not states.can_delete_snapshot("disksnapshotdelete", *plain("STOPPED"))


def test_advertised_operations():
    assert machine_actions(*R) == ("stop", "restart", "suspend", "delete", "capture",
                                   "snapshot", "restore")
    assert machine_actions(*plain("POWEROFF")) == ("start", "delete", "capture", "snapshot",
                                                   "restore")
    assert machine_actions(*lcm("SHUTDOWN")) == ("delete",)
    assert machine_actions(*plain("DONE")) == ()
    assert machine_actions(*lcm("HOTPLUG")) == ()


def test_advertised_operations_always_have_a_form_that_works():
    for pair in EVERY_VM_STATE:
        for action in machine_actions(*pair):
            assert (one_action_for(action, *pair) or one_action_for(action, *pair, force=True))


def test_image_state_maps_cover_every_state():
    for number, name in states.IMAGE_STATES.items():
        assert machine_image_state(number) in {"CREATING", "AVAILABLE", "CAPTURING",
                                               "DELETING", "ERROR"}
        assert volume_state(number) in {"CREATING", "AVAILABLE", "IN_USE", "CAPTURING",
                                        "DELETING", "ERROR"}
    assert machine_image_state(99) == volume_state(99) == "ERROR"


@pytest.mark.parametrize("state, image, volume", [
    (4, "CREATING", "CREATING"), (1, "AVAILABLE", "AVAILABLE"), (2, "AVAILABLE", "IN_USE"),
    (8, "AVAILABLE", "IN_USE"), (5, "ERROR", "ERROR"), (7, "DELETING", "DELETING")])
def test_image_state_examples(state, image, volume):
    assert (machine_image_state(state), volume_state(state)) == (image, volume)


def test_image_types_use_core_numbering():
    assert states.image_type_name(6) == "BACKUP"
    assert states.image_type_name(7) == "FILESYSTEM"
    assert states.image_type_name(2) == "DATABLOCK"


def test_state_names():
    assert states.vm_state_name(*R) == "RUNNING"
    assert states.vm_state_name(*plain("POWEROFF")) == "POWEROFF"
    assert states.image_state_name(8) == "USED_PERS"


@pytest.mark.parametrize("vnet_state, network", [
    (0, "CREATING"), (1, "STARTED"), (2, "CREATING"), (3, "DELETING"), (5, "ERROR"),
    (6, "ERROR"), (99, "ERROR")])
def test_network_state(vnet_state, network):
    assert states.network_state(vnet_state) == network
