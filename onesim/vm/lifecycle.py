"""The life-cycle manager: walks VMs along the routes of `actions`, like oned's LCM with
the dummy drivers, and the scheduler that deploys PENDING VMs onto hosts with room.

A walk takes its first position at once; every further position comes one driver step
later (scaled by the emulator's speed factor). Entering or leaving some positions has
effects oned's managers have (history times, host capacity, freeing resources at DONE).
"""
import random
import time

from ..errors import ACTION, OneError
from ..registry import on_start
from . import disks, progress, resources
from .actions import CLONING, DONE, HOLD, PENDING, RUNNING, STOPPED, UNDEPLOYED, HistoryAction, active
from .states import FAILURE_STATES, LcmState as L, VmState as S

DRIVER_STEP_SECONDS = 1.0
SCHEDULER_INTERVAL_SECONDS = 2.0
# The dummy monitor's first report on a VM comes a while after it starts running.
MONITOR_DELAY_SECONDS = 3.0

_BOOTS = frozenset({L.BOOT, L.BOOT_POWEROFF, L.BOOT_SUSPENDED, L.BOOT_UNKNOWN, L.BOOT_STOPPED,
                    L.BOOT_UNDEPLOY})
_PROLOGS = frozenset({L.PROLOG, L.PROLOG_RESUME, L.PROLOG_UNDEPLOY})
_SHUTDOWNS = frozenset({L.SHUTDOWN, L.SHUTDOWN_POWEROFF, L.SHUTDOWN_UNDEPLOY, L.SAVE_STOP,
                        L.SAVE_SUSPEND})
_EPILOGS = frozenset({L.EPILOG, L.EPILOG_STOP, L.EPILOG_UNDEPLOY})
_HOST_FREED = frozenset({S.STOPPED, S.UNDEPLOYED, S.DONE})
_WAITING_STATES = frozenset({S.PENDING, S.CLONING})
_DISK_HOTPLUGS = frozenset({L.HOTPLUG, L.HOTPLUG_PROLOG_POWEROFF, L.HOTPLUG_EPILOG_POWEROFF})
_SAVING = frozenset({L.HOTPLUG_SAVEAS, L.HOTPLUG_SAVEAS_POWEROFF, L.HOTPLUG_SAVEAS_SUSPENDED,
                     L.HOTPLUG_SAVEAS_UNDEPLOYED, L.HOTPLUG_SAVEAS_STOPPED})

# one.vm.recover: where "success" takes a failed VM, and the path "retry" walks again.
_RECOVER_SUCCESS = {
    **{lcm: RUNNING for lcm in FAILURE_STATES if lcm.name.startswith(("BOOT", "PROLOG"))},
    L.EPILOG_FAILURE: DONE, L.EPILOG_STOP_FAILURE: STOPPED, L.EPILOG_UNDEPLOY_FAILURE: UNDEPLOYED,
}
_RECOVER_RETRY = {
    L.BOOT_FAILURE: active(L.BOOT, L.RUNNING),
    L.PROLOG_FAILURE: active(L.PROLOG, L.BOOT, L.RUNNING),
    L.EPILOG_FAILURE: active(L.EPILOG) + (DONE,),
    L.EPILOG_STOP_FAILURE: active(L.EPILOG_STOP) + (STOPPED,),
    L.EPILOG_UNDEPLOY_FAILURE: active(L.EPILOG_UNDEPLOY) + (UNDEPLOYED,),
}
RECOVER_FAILURE, RECOVER_SUCCESS, RECOVER_RETRY, RECOVER_DELETE, RECOVER_DELETE_RECREATE, \
    RECOVER_DELETE_DB = range(6)

# The deploy path after a stop or an undeploy, told apart by the last history action. Every
# deploy starts in ACTIVE/LCM_INIT: oned's DispatchManager::deploy sets ACTIVE before the
# life-cycle manager picks the prolog (a poll of a real oned sees it too).
_DEPLOY_PATHS = {
    HistoryAction.STOP: active(L.LCM_INIT, L.PROLOG_RESUME, L.BOOT_STOPPED, L.RUNNING),
    HistoryAction.UNDEPLOY: active(L.LCM_INIT, L.PROLOG_UNDEPLOY, L.BOOT_UNDEPLOY, L.RUNNING),
    HistoryAction.UNDEPLOY_HARD: active(L.LCM_INIT, L.PROLOG_UNDEPLOY, L.BOOT_UNDEPLOY, L.RUNNING),
}
_FIRST_DEPLOY_PATH = active(L.LCM_INIT, L.PROLOG, L.BOOT, L.RUNNING)


def refuse(operation, vm, **details):
    message = operation.refusal.format(name=operation.name, id=vm.id, state=vm.state_name(), **details)
    return OneError(operation.refusal_code, message)


def check(operation, vm, **details):
    """The route `operation` takes from the VM's position, or oned's refusal."""
    route = operation.route(vm.position)
    if route is None:
        raise refuse(operation, vm, **details)
    return route


def perform(call, vm, operation, route):
    """Accept `operation` on `vm` (already checked): history bookkeeping, then the walk."""
    now = int(time.time())
    request_id = random.randrange(1, 10000)
    if route.new_history and vm.history:
        vm.copy_history(now)
        vm.set_history_action(operation.history_action, call.caller, request_id)
    elif operation.closes_history and vm.history:
        close_and_copy_history(vm, operation.history_action, call.caller, request_id, now)
    elif operation.records_action and route.path:
        vm.set_history_action(operation.history_action, call.caller, request_id)
    if operation.resched is not None:
        vm.resched = int(operation.resched)
    walk(call.emulator, vm, route.path)
    if not route.path:
        progress.settle(vm)  # no transient state: the change is immediate


def close_and_copy_history(vm, action, caller, request_id, now):
    """oned's DispatchManager::close_cp_history."""
    record = vm.current_history
    running = not record["RETIME"]
    if running:
        record["RETIME"] = now
    previous_action = record["ACTION"]
    vm.set_history_action(action, caller, request_id)
    vm.copy_history(now)
    # The new record keeps the action the VM was under (set_internal_action).
    vm.current_history["ACTION"] = previous_action
    if not running:
        vm.current_history["RETIME"] = now


def walk(emulator, vm, path):
    vm.route_generation += 1
    vm.route = [[int(state), int(lcm)] for state, lcm in path[1:]]
    if path:
        _arrive(emulator, vm, path[0])
    emulator.pool("vm").save(vm)
    _expect_driver(emulator, vm)


def _expect_driver(emulator, vm):
    if not vm.route:
        return
    vm_id, generation = vm.id, vm.route_generation
    emulator.after(DRIVER_STEP_SECONDS, lambda: driver_answered(emulator, vm_id, generation))


def driver_answered(emulator, vm_id, generation):
    vm = emulator.pool("vm").find(vm_id)
    if vm is None or vm.route_generation != generation or not vm.route:
        return
    state, lcm = vm.route.pop(0)
    target = (S(state), L(lcm))
    if target == RUNNING and vm.position[1] in _BOOTS and emulator.faults.take_boot_failure():
        target, vm.route = active(L.BOOT_FAILURE)[0], []
        # The dummy driver fails a deploy answering its deploy id, which oned logs as
        # "DEPLOY: <payload>" in ERROR (VirtualMachineManager::log_error).
        record = vm.current_history
        set_error_message(vm, "ERROR", f"DEPLOY: {record['HOSTNAME']}:{vm.name}:dummy")
    _arrive(emulator, vm, target)
    emulator.pool("vm").save(vm)
    _expect_driver(emulator, vm)


def _arrive(emulator, vm, target):
    now = int(time.time())
    leaving = vm.position
    if leaving[1] in _PROLOGS and target[1] in _BOOTS:
        vm.stamp_history("PETIME", now)
        vm.stamp_history("RSTIME", now)
    if leaving[1] in _SHUTDOWNS:
        vm.stamp_history("RETIME", now)
        # The hypervisor is gone: without KEEP_SNAPSHOTS its system snapshots go with it
        # (LifeCycleManager's shutdown and save successes call delete_snapshots).
        if not emulator.hypervisor.keep_snapshots:
            vm.template.remove("SNAPSHOT")
    if target[1] in _EPILOGS:
        vm.stamp_history("RETIME", now, only_if_unset=True)
        vm.stamp_history("ESTIME", now)
    if leaving[1] in _EPILOGS:
        vm.stamp_history("EETIME", now)
        vm.stamp_history("ETIME", now)
    if target == RUNNING and (leaving[1] in _BOOTS or leaving[1] in FAILURE_STATES):
        _booted(emulator, vm)
    if leaving[1] in _DISK_HOTPLUGS:
        disks.finish_hotplug(emulator, vm)
    if leaving[1] in progress.SETTLED_ON_LEAVING:
        progress.settle(vm)
    if leaving[1] in _SAVING and vm.saving:
        resources.saved_image_ready(emulator, vm.saving["image_id"])
        vm.replace_vectors("DISK", [_without_saveas(disk) for disk in vm.disks()])
        vm.saving = None
    vm.move_to(target)
    if target[0] in _HOST_FREED and vm.host_id != -1:
        resources.release_capacity(emulator, vm)
        schedule_soon(emulator)
    if target == DONE:
        _done(emulator, vm, now)


def _without_saveas(disk):
    return {key: value for key, value in disk.items() if not key.startswith("HOTPLUG_SAVE_AS")}


def _booted(emulator, vm):
    vm.clear_history_action()
    record = vm.current_history
    if not vm.deploy_id and record is not None:
        vm.deploy_id = f"{record['HOSTNAME']}:{vm.name}:dummy"
    vm_id = vm.id
    emulator.after(MONITOR_DELAY_SECONDS, lambda: _monitor(emulator, vm_id))


def _monitor(emulator, vm_id):
    vm = emulator.pool("vm").find(vm_id)
    if vm is None or vm.state != S.ACTIVE:
        return
    now = int(time.time())
    vm.monitoring = _monitoring_sample(vm, now)
    vm.last_poll = now
    emulator.pool("vm").save(vm)


def _monitoring_sample(vm, now):
    memory_kb = int(float(vm.template.get("MEMORY", "0")) * 1024)
    sample = random.Random(f"{vm.id}:{now}")
    return [("CPU", "0"), ("DISKRDBYTES", str(sample.randrange(1000))),
            ("DISKRDIOPS", str(sample.randrange(1000))), ("DISKWRBYTES", str(sample.randrange(1000))),
            ("DISKWRIOPS", str(sample.randrange(1000))), ("ID", str(vm.id)),
            ("MEMORY", str(memory_kb)), ("NETRX", str(sample.randrange(5000))),
            ("NETTX", str(sample.randrange(5000))), ("TIMESTAMP", str(now))]


def _done(emulator, vm, now):
    """oned's DispatchManager::free_vm_resources."""
    resources.release_all(emulator, vm)
    vm.etime = now
    if vm.history:
        vm.stamp_history("RETIME", now, only_if_unset=True)
        vm.stamp_history("ETIME", now, only_if_unset=True)
        _drop_graphics_port(vm)


def _drop_graphics_port(vm):
    graphics = [dict(value) for name, value in vm.template.attributes if name == "GRAPHICS"]
    for vector in graphics:
        vector.pop("PORT", None)
    if graphics:
        vm.replace_vectors("GRAPHICS", graphics)


# ---- the scheduler ----------------------------------------------------------------------

def start_scheduler(emulator):
    emulator.after(SCHEDULER_INTERVAL_SECONDS, lambda: _scheduler_tick(emulator))


def _scheduler_tick(emulator):
    try:
        schedule(emulator)
    finally:
        start_scheduler(emulator)


def schedule_soon(emulator):
    emulator.after(DRIVER_STEP_SECONDS, lambda: schedule(emulator))


def schedule(emulator):
    """Deploy every PENDING VM that fits on a host, oldest first, as oned's scheduler;
    VMs whose images finished copying leave CLONING first."""
    waiting = [vm for vm in emulator.pool("vm").values() if vm.state in _WAITING_STATES]
    for vm in waiting:
        if vm.position == CLONING and not any(disks.is_cloning(emulator, disk) for disk in vm.disks()):
            walk(emulator, vm, (HOLD if vm.on_hold else PENDING,))
        elif vm.position == PENDING and not vm.route:
            _dispatch(emulator, vm)


def _dispatch(emulator, vm):
    """The scheduler's plan for one PENDING VM, and its deploy as oned's PlanManager runs it."""
    try:
        host, system_ds = resources.place(emulator, vm)
    except resources.Unplaceable as reason:
        _leave_message(emulator, vm, "SCHED_MESSAGE", str(reason))
        return
    if not emulator.hypervisor.support_shareable and any(
            disk.get("SHAREABLE", "").upper() == "YES" for disk in vm.disks()):
        # The planned deploy fails (VirtualMachineDeploy, check_shareable_disks): the plan
        # clears SCHED_MESSAGE and the failure lands in ERROR; the VM stays PENDING.
        resources.release_capacity(emulator, vm)
        vm.user_template.remove("SCHED_MESSAGE")
        _leave_message(emulator, vm, "ERROR", f"[deploy] {emulator.hypervisor.shareable_refusal()}")
        return
    vm.user_template.remove("SCHED_MESSAGE")
    deploy(emulator, vm, host, system_ds)


def set_error_message(vm, attribute, message):
    """oned's set_template_error_message: "<ctime>: <message>" in the USER_TEMPLATE."""
    vm.user_template.set(attribute, f"{time.asctime()}: {message}")


def _leave_message(emulator, vm, attribute, message):
    """The scheduler's message, stamped again on every pass as oned does."""
    set_error_message(vm, attribute, message)
    emulator.pool("vm").save(vm)


def deploy(emulator, vm, host, system_ds):
    now = int(time.time())
    path = _DEPLOY_PATHS.get(vm.current_history["ACTION"] if vm.history else 0, _FIRST_DEPLOY_PATH)
    record = vm.add_history(host, system_ds, now)
    record["PSTIME"] = now
    resources.prepare_for_host(emulator, vm, host, system_ds)
    walk(emulator, vm, path)


@on_start
def start(emulator):
    """After a (re)start: VMs halfway along a route get their next driver answer, running
    VMs not yet monitored their first report, and the scheduler starts its passes."""
    for vm in emulator.pool("vm").values():
        _expect_driver(emulator, vm)
        if vm.position == RUNNING and not vm.monitoring:
            vm_id = vm.id
            emulator.after(MONITOR_DELAY_SECONDS, lambda vm_id=vm_id: _monitor(emulator, vm_id))
    start_scheduler(emulator)


# ---- one.vm.recover -----------------------------------------------------------------------

def recover(call, vm, operation):
    """oned's LifeCycleManager::recover and the delete variants of one.vm.recover."""
    emulator = call.emulator
    lcm = vm.position[1]
    if operation == RECOVER_DELETE_DB:
        resources.release_all(emulator, vm)
        emulator.pool("vm").drop(vm)
        return
    if operation == RECOVER_DELETE:
        walk(emulator, vm, (active(L.CLEANUP_DELETE) if vm.position[0] == S.ACTIVE else ()) + (DONE,))
        return
    if operation == RECOVER_DELETE_RECREATE:
        if vm.host_id != -1:
            resources.release_capacity(emulator, vm)
        walk(emulator, vm, (PENDING,))
        return
    path = _recover_path(vm, lcm, operation)
    if path is None:
        raise OneError(ACTION, f"Could not perform a recover operation on VM {vm.id}, wrong state {vm.state_name()}.")
    walk(emulator, vm, path)


def _recover_path(vm, lcm, operation):
    """Where recover takes a VM: a failed shutdown or save leaves it running, a failed
    prolog, boot or epilog lands in its *_FAILURE state, a failed hot-plug where it was."""
    if operation == RECOVER_SUCCESS:
        if vm.route:
            state, lcm_state = vm.route[-1]
            return ((S(state), L(lcm_state)),)
        return (_RECOVER_SUCCESS[lcm],) if lcm in _RECOVER_SUCCESS else None
    if operation == RECOVER_FAILURE and vm.route:
        if lcm in _SHUTDOWNS:
            return (RUNNING,)
        failed = L.__members__.get(f"{lcm.name}_FAILURE")
        if failed is not None:
            return active(failed)
        state, lcm_state = vm.route[-1]
        return ((S(state), L(lcm_state)),)
    if operation == RECOVER_RETRY:
        return _RECOVER_RETRY.get(lcm)
    return None
