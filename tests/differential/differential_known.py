"""The known, deliberate differences between onesim and oned 7.0.2: the ONE place they are listed.

`KNOWN_DIFFERENCES`: (scenario, step, kind, detail, reason, timing); scenario, step, kind and
detail are patterns (`*` matches anything, nothing else is special) matched against a
`differential_compare.Difference`. Any difference not
matched here fails the test, and an entry that matches nothing fails it too (it is stale).

`MISSABLE_STATES`: (walk, state) pairs a poll may legitimately miss on either backend, removed
from both sequences before they are compared, each with its reason.
"""
from collections import namedtuple

Known = namedtuple("Known", "scenario step kind detail reason timing", defaults=(False,))

_MONITORING_TIMING = ("onesim sends a VM's first monitoring report a fixed delay after it boots; the real "
                      "oned's dummy monitor reports on its own period, so whether a VM document already "
                      "holds MONITORING values depends on timing, not on behaviour")
_BISON_WORDING = ("onesim's template parser is not oned's bison grammar: a syntax error has the same "
                  "code and 'Parse error: syntax error, ' prefix, but bison's token list and columns "
                  "are not reproduced")

# `timing`: the difference depends on when a poll happens, so a run may not see it; such an
# entry is not reported as stale.
_DETACH_WINDOW = ("oned's LifeCycleManager::trigger_detach_success saves the VM without the detached disk "
                  "(and its SNAPSHOTS) before it sets RUNNING, so a poll in between sees HOTPLUG without "
                  "the disk; onesim does both at once, so its HOTPLUG still shows the disk marked ATTACH=YES, "
                  "as oned's does before the driver answers")

_SNAPSHOT_ID_WINDOW = ("oned's VMM driver protocol saves the snapshot's HYPERVISOR_ID before the life-cycle "
                       "manager ends HOTPLUG_SNAPSHOT, so a poll in between sees it set; onesim sets it when "
                       "it leaves HOTPLUG_SNAPSHOT")

_DEPLOY_ID_WINDOW = ("oned's VirtualMachineManager::_deploy saves the deploy id the driver answered before the "
                     "life-cycle manager's deploy success makes the VM RUNNING, so a poll in between sees BOOT "
                     "with its DEPLOY_ID; onesim sets it when the VM leaves BOOT")

_EPILOG_WINDOW = ("oned's LifeCycleManager::trigger_epilog_success releases the VNC port (GRAPHICS/PORT) and "
                  "saves the VM still in EPILOG before DispatchManager::trigger_done makes it DONE, so a "
                  "poll in between sees EPILOG without the port; onesim releases it when the VM is DONE, "
                  "as oned's document shows it before the driver answers")

_MKFS_WINDOW = ("oned marks the disk being saved with HOTPLUG_SAVE_AS and HOTPLUG_SAVE_AS_SOURCE when the new "
                "image's datastore mkfs answers (ImageManager's mkfs callback, set_saveas_disk), a moment "
                "after the disksaveas call; onesim's save-as has no mkfs step, so a poll may see them on "
                "oned only")

_FAST_ATTACH = ("the real oned's dummy driver may answer a disk attach before the next vm.info, which then no "
                "longer shows the disk's ATTACH=YES mark; onesim holds it for a driver step")

KNOWN_DIFFERENCES = (
    Known("vm_life_cycle", "*", "* in onesim", "/VM/MONITORING*", _MONITORING_TIMING, timing=True),
    Known("vm_life_cycle", "seen in detach: HOTPLUG", "extra in onesim", "/VM/TEMPLATE/DISK*", _DETACH_WINDOW,
          timing=True),
    Known("vm_life_cycle", "seen in detach: HOTPLUG", "extra in onesim", "/VM/SNAPSHOTS*", _DETACH_WINDOW,
          timing=True),
    Known("vm_life_cycle", "seen in snapshot create: HOTPLUG_SNAPSHOT", "* in onesim",
          "/VM/TEMPLATE/SNAPSHOT/HYPERVISOR_ID*", _SNAPSHOT_ID_WINDOW, timing=True),
    Known("vm_life_cycle", "seen in deploy: BOOT", "* in onesim", "/VM/DEPLOY_ID*", _DEPLOY_ID_WINDOW,
          timing=True),
    Known("vm_life_cycle", "seen in terminate: EPILOG", "extra in onesim", "/VM/TEMPLATE/GRAPHICS/PORT",
          _EPILOG_WINDOW, timing=True),
    Known("vm_life_cycle", "seen in disk save-as: HOTPLUG_SAVEAS", "missing in onesim",
          "/VM/TEMPLATE/DISK/HOTPLUG_SAVE_AS*", _MKFS_WINDOW, timing=True),
    Known("vm_life_cycle", "VM info while saving a disk", "missing in onesim",
          "/VM/TEMPLATE/DISK/HOTPLUG_SAVE_AS*", _MKFS_WINDOW, timing=True),
    Known("vm_life_cycle", "VM info while attaching", "extra in onesim", "/VM/TEMPLATE/DISK/ATTACH",
          _FAST_ATTACH, timing=True),
    Known("*", "*", "result",
          "onesim ('failure', '0x2000', '[one.*Parse error: syntax error, *', -1, 5) / "
          "oned ('failure', '0x2000', '[one.*Parse error: syntax error, *', -1, 5)", _BISON_WORDING),
)

_DUMMY_DRIVERS = ("the real oned's dummy drivers answer within milliseconds, so a 50 ms poll often "
                  "misses this transient state; onesim holds it for a driver step")
_QUEUED_ACTION = ("oned applies a VM action through its action queue after answering the call, so the "
                  "first poll may still see the state the action started from; onesim moves at once")

MISSABLE_STATES = {
    ("deploy", "PENDING"): ("onesim's scheduler passes come every 2 s / speed: a released VM may be deployed "
                            "before the first poll"),
    ("deploy", "LCM_INIT"): _DUMMY_DRIVERS,
    ("deploy", "PROLOG"): _DUMMY_DRIVERS,
    ("deploy", "BOOT"): _DUMMY_DRIVERS,
    ("attach", "HOTPLUG"): _DUMMY_DRIVERS,
    ("detach", "HOTPLUG"): _DUMMY_DRIVERS,
    ("diskresize", "DISK_RESIZE"): _DUMMY_DRIVERS,
    ("disk snapshot", "DISK_SNAPSHOT"): _DUMMY_DRIVERS,
    ("disk snapshot delete", "DISK_SNAPSHOT_DELETE"): _DUMMY_DRIVERS,
    ("snapshot create", "HOTPLUG_SNAPSHOT"): _DUMMY_DRIVERS,
    ("snapshot revert", "HOTPLUG_SNAPSHOT"): _DUMMY_DRIVERS,
    ("snapshot delete", "HOTPLUG_SNAPSHOT"): _DUMMY_DRIVERS,
    ("disk save-as", "HOTPLUG_SAVEAS"): _DUMMY_DRIVERS,
    ("poweroff", "SHUTDOWN_POWEROFF"): _DUMMY_DRIVERS,
    ("resume", "BOOT_POWEROFF"): _DUMMY_DRIVERS,
    ("terminate", "SHUTDOWN"): _DUMMY_DRIVERS,
    ("terminate", "EPILOG"): _DUMMY_DRIVERS,
    ("held VM terminated", "HOLD"): _QUEUED_ACTION,
    ("poweroff", "RUNNING"): _QUEUED_ACTION,
    ("resume", "POWEROFF"): _QUEUED_ACTION,
    ("terminate", "RUNNING"): _QUEUED_ACTION,
    ("to READY", "LOCKED"): "the real oned's dummy datastore driver copies at once: a poll may miss LOCKED",
    ("clone to READY", "LOCKED"): "the real oned's dummy datastore driver copies at once: a poll may miss LOCKED",
    ("image to READY", "LOCKED"): "the real oned's dummy datastore driver copies at once: a poll may miss LOCKED",
    ("private image READY", "LOCKED"): "the real oned's dummy datastore driver copies at once: a poll may miss LOCKED",
    ("saved image", "LOCKED"): "the real oned's dummy datastore driver copies at once: a poll may miss LOCKED",
    ("delete", "DELETE"): "the real oned's dummy datastore driver removes an image at once: a poll may miss DELETE",
    ("image delete", "DELETE"): "the real oned's dummy datastore driver removes an image at once: a poll may miss DELETE",
}
