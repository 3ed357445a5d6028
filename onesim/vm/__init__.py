"""VMs, their life-cycle and VM templates: one.vm.*, one.vmpool.*, one.template.*,
one.templatepool.info.

The emulator imports every module of the `onesim` package, this one's included, so the
methods and the "vm" and "template" pools register themselves; `lifecycle` starts the
scheduler and resumes interrupted walks when the emulator starts.

- `states`: STATE/LCM_STATE numbers and names.
- `actions`: which operation is allowed in which state and the path it takes (data).
- `lifecycle`: the walk along those paths on driver timers, the scheduler, recover.
- `model`, `render`: the VM object and its full and short XML bodies.
- `creation`, `disks`, `resources`: building a VM from a template (TEMPLATE/USER_TEMPLATE
  split, DISKs and targets, leases, CONTEXT) and what it takes from hosts, images, vnets.
- `methods`, `pool`, `templates`: the XML-RPC methods (rename, chmod, chown, lock and
  unlock come from `onesim.common`).
"""
