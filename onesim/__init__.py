"""onesim: an OpenNebula 7.0 (oned 7.0.2) emulator speaking real XML-RPC.

Run it with `python -m onesim --seed demo` (options: --host, --port, --data-dir, --seed,
--speed, --control-port, and the hypervisor's capabilities --no-shareable-disks and
--no-keep-snapshots, see `onesim.hypervisor`). Tests use `onesim.testing.running_onesim()`.

How the core fits together (what a handler module needs)
========================================================

Registering methods (`onesim.registry`)
---------------------------------------
Every module of the package is imported at start-up (`emulator.load_handler_modules`), so a
module registers its methods, pools and hooks just by existing::

    from onesim.registry import Int, Bool, Str, Array, rpc, pool_type, on_start

    @rpc("one.vm.info", Int("id"), Bool("decrypt", False))
    def vm_info(call, oid, decrypt):
        vm = call.pool("vm").get(oid)           # NO_EXISTS "Error getting virtual machine [oid]."
        authorize(call.caller, vm, USE)         # AUTHORIZATION "User [u] : Not authorized ..."
        return vm.xml                           # -> [True, value, 0]

- Parameters are the ones after the session. A parameter without default is required.
  A wrong type, a missing required parameter or an unknown method is an XML-RPC Fault
  (xmlrpc-c's codes -501/-506), as oned answers; like oned, arguments are read only after
  the session authenticated. Extra parameters are ignored.
- The handler gets `call` (`onesim.emulator.Call`): `call.emulator`, `call.caller`
  (`onesim.auth.Caller`: uid, gid, groups, name, gname, is_admin), `call.method`,
  `call.pool(name)`. The session was authenticated before the handler runs.
- To fail, raise `onesim.errors.OneError(code, message, object_id=-1)`; the dispatcher makes
  `[False, "[one.x.y] " + message, code, object_id, <i8>-1]`. Helpers in `onesim.errors`
  build oned's wordings: `not_found(object_name, id)`, `not_authorized(uid, detail)`
  (oned leaves the object id at -1), `allocate_failed(object_name, detail)`, `api_error`,
  `internal_error`, `unwritable(object_label)` ("Error transforming the VM to XML."),
  `locked`. Codes: AUTHENTICATION, AUTHORIZATION, NO_EXISTS, ACTION, XML_RPC_API,
  INTERNAL, ALLOCATE, LOCKED.
- Names (`onesim.names`): `name_error(name, extra_invalid="")` is oned's complaint about
  a name (invalid characters, empty, over 128 UTF-8 bytes) or None; each method wraps it
  with its own code and wording, as oned does (see tests/onesim/test_onesim_names.py).
- Handlers run inside `emulator.transaction()` holding `emulator.lock` (one RLock): calls
  are serialized and atomic. Check everything first, then change objects and save them
  (a failed call only reloads pools it had already written).
- `onesim.common.register_common_methods("one.template", "template", methods=(...))`
  registers oned's shared update/rename/chmod/chown/lock/unlock for a pool; its helpers
  (`managed`, `check_lock`, `chmod_object`, ...) serve customised variants.
- `@on_start` registers `hook(emulator)`, run (in a transaction) after loading the store
  and seeding, e.g. to resume timers of objects caught mid-transition by a restart.

Objects, pools, persistence (`onesim.store`)
-------------------------------------------
- `@pool_type("vm", "virtual machine", first_id=0)` on a `PoolObject` subclass creates the
  pool "vm"; the second argument is oned's object name used in error messages.
- `PoolObject` has id, name, uid, gid, uname, gname, permissions (9 bits, oned's default
  umask 177 -> owner use+manage), lock, template (a `Template`). Every public attribute is
  persisted as JSON; attributes holding Templates are listed in `template_fields`
  (default ("template",); a VM would use ("template", "user_template")).
  Subclasses implement `render()` (full XML) and optionally `render_short()` (the pool
  listing entry). Helpers: `owner_xml()` (ID..NAME), `permissions_xml()`, `lock_xml()`,
  `store.escape()`.
- `Pool`: `get(id)` (or NO_EXISTS), `find(id)`, `by_name(name, uid)`, `add(obj)` (next id,
  ids never reused), `save(obj)` (re-renders the cached `obj.xml`/`obj.short_xml` and writes
  SQLite; call it after every change), `drop(obj)`, `values()`.
- Timers: `emulator.after(seconds, callback)` runs `callback()` in a transaction after
  `seconds / emulator.speed` (the --speed factor). Look objects up again inside callbacks.

Templates (`onesim.template`)
-----------------------------
`Template.parse(text)` accepts `NAME="v"`/`DISK=[A="1", B=2]` syntax (names upper-cased,
`\\"` escapes, `#` comments, unquoted values lose trailing spaces) and XML (root's children
are the attributes); NAME loses its trailing white space either way. `]]>` anywhere in the
first syntax raises `TemplateError("Parse error.")` as oned's lexer does; a syntax error
raises one whose str() is "Parse error: ..." (fail with INTERNAL). XML text may carry
`]]>`, which oned then cannot write: `holds_cdata_end()` tells, and allocations fail with
`unwritable(...)` while updates succeed without storing anything. `get(name)`,
`vectors(name)` (dicts), `set`, `add`, `remove`, `merge` (update append=1), `to_xml(root)`
renders as oned: attributes sorted by name, vector leaves sorted, leaves in CDATA.
`users.updated_template(current, text, append)` implements the `*.update` methods.

Authorization and pools (`onesim.auth`)
---------------------------------------
`authorize(caller, obj, USE|MANAGE|ADMIN)`, `can(...)`, `authorize_create(caller, pool)`,
`require_admin(caller, operation, auth_type)`; `visible(caller, objects, filter_flag)` (-4..-1 and uid >= 0,
RPC_API "Incorrect filter_flag" below -4), `page(objects, start, end)` (id range, or
end < -1 = offset/page size; descending ids like oned 7.0), `select(caller, pool,
filter_flag, start, end, keep)` (both at once over `pool.newest_first()`, looking no
further than the page, for pool calls), `pool_xml(root, objects)`.

Services for the VM life-cycle
------------------------------
- Images (`onesim.images`): `acquire_image(emulator, caller, image_id, vm_id, hot=False)`
  -> Image (USE checked, READY->USED / USED_PERS, RUNNING_VMS and VMS updated, a persistent
  image serves one VM); `release_image(emulator, image_id, vm_id)`;
  `disk_attributes(emulator, image)` -> the DISK vector pairs oned derives from an image;
  `create_saved_image(emulator, caller, source_image, name, image_type, vm_id, disk_id)`
  -> new LOCKED image id (disksaveas); `set_image_ready(emulator, image_id)` when done.
- Virtual networks (`onesim.vnets`): `allocate_lease(emulator, caller, vnet_id, vm_id,
  ip=None)` -> NIC pairs (IP and MAC from the address range); `release_lease(emulator,
  vnet_id, vm_id, ip=None)`.
- Hosts (`onesim.hosts`): `place_vm(emulator, vm_id, cpu, memory_mb)` -> host or None
  (capacity accounted, None = stays PENDING); `release_host(emulator, host_id, vm_id,
  cpu, memory_mb)`.
- Quotas (`onesim.quotas`): `usage_xml(emulator, "uid" | "gid", id)`, the four quota
  sections of a user or group document, computed from the objects it owns.
- Hypervisor (`emulator.hypervisor`, `onesim.hypervisor.Hypervisor`): `support_shareable`
  and `keep_snapshots`, both on by default like the shared oned's dummy VM_MAD.
- Faults (`emulator.faults`): `take_boot_failure()` is True when this boot must end in
  BOOT_FAILURE (armed by tests with `fail_boots(n)`).

Seed (`onesim.seed`)
--------------------
Every new data directory gets oned's bootstrap: groups oneadmin (0) and users (1), users
oneadmin (0, random password in <data-dir>/one_auth) and serveradmin (1), datastores
system (0), default (1) and files (2) on the dummy drivers. `--seed demo` adds the user
demo/demo, the host "localhost" (8 CPUs, 16 GiB), the network "private" (10.0.0.2-254) and
the public OS images ttylinux, "Ubuntu 24.04" and "CentOS Stream 9" owned by oneadmin.

Fault injection
---------------
In process: `emulator.faults` (`fail_next(method, count, code, message)`, `delay(method,
seconds)`, `fail_boots(count)`, `clear()`), `Endpoint.set_reachable(bool)`. From outside:
the control endpoint (`onesim.control`), a separate loopback port written to
<data-dir>/control.port that only accepts oneadmin's session. Normal sessions on /RPC2
cannot reach any of it.
"""
