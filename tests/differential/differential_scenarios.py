"""The scenarios run identically on both backends. Each takes a `Context` and records steps.

Step names are the comparison keys: they must not depend on the backend. A step named
"seen in <walk>: <state>" is a document read when a poll first saw that state; a poll can miss
a short state, so such a step only counts when both backends saw the state (see
`differential_compare`).
"""
from lxml import etree

from differential_record import (ScenarioBroken, image_document, image_state, image_state_of, network_seen_by,
                                 only_ids, vm_document, vm_state, vm_state_of, walk)

NAME_LIMIT_BYTES = 128
FORBIDDEN_NAME_CHARS = "&|:;/'#{}$<>"
DOCUMENT_TYPE = 300


def vm_template(name, extra=""):
    return (f'NAME="{name}"\nCPU="0.1"\nVCPU="1"\nMEMORY="64"\n'
            'DISK=[IMAGE="ttylinux",IMAGE_UNAME="oneadmin"]\n'
            'DISK=[TYPE="swap",SIZE="64"]\n'
            'NIC=[NETWORK="private",NETWORK_UNAME="oneadmin"]\n'
            'CONTEXT=[NETWORK="YES",SSH_PUBLIC_KEY="ssh-ed25519 AAAAC3 differential"]\n'
            'GRAPHICS=[TYPE="VNC",LISTEN="0.0.0.0"]\n' + extra)


def datablock(session, ctx, label, step):
    """A 1 MB DATABLOCK image of the session's user, READY (walked as `step`)."""
    image_id = ctx.track("image", session.ok(
        f"allocate {label}", "image.allocate",
        f'NAME="{ctx.names.new(label)}"\nTYPE="DATABLOCK"\nSIZE="1"\nFORMAT="raw"\nDESCRIPTION="d"', 1))
    walk(session, step, lambda: image_state(session, image_id), lambda state: state == "READY")
    return image_id


def disk_id_of_image(session, vm_id, image_id):
    root = etree.fromstring(session.raw("vm.info", vm_id)[1].encode())
    for disk in root.iter("DISK"):
        if disk.findtext("IMAGE_ID") == str(image_id):
            return int(disk.findtext("DISK_ID"))
    raise ScenarioBroken(f"image {image_id} is not attached to VM {vm_id}")


def image_walk(session, image_id, name, target):
    """Walk the image to `target` ("gone" once deleted), keeping the shape of the document each
    new state was seen in."""
    def keep(state, document):
        if document is not None:
            session.document(f"seen in {name}: {state}", document)
    return walk(session, name, lambda: image_document(session, image_id), lambda state: state == target,
                state_of=image_state_of, on_new_state=keep)


def vm_walk(session, vm_id, name, target):
    """Walk the VM to `target`, keeping the shape of the document each new state was seen in."""
    def keep(state, document):
        session.document(f"seen in {name}: {state}", document)
    return walk(session, name, lambda: vm_document(session, vm_id), lambda state: state == target,
                state_of=vm_state_of, on_new_state=keep)


def vm_life_cycle(ctx):
    user = ctx.new_user()
    image_id = datablock(user, ctx, "disk", "image to READY")
    # On hold first: the calls refused before the VM runs meet the same state on both backends
    # (a PENDING VM may be deployed at any moment); PENDING itself is read by the deploy walk.
    vm_id = ctx.track("vm", user.ok("allocate VM on hold", "vm.allocate", vm_template(ctx.names.new("vm")), True))
    user.ok("VM info HOLD", "vm.info", vm_id)
    user.call("poweroff while HOLD", "vm.action", "poweroff", vm_id)
    user.call("attach while HOLD", "vm.attach", vm_id, f'DISK=[IMAGE_ID="{image_id}"]')
    user.call("snapshot while HOLD", "vm.snapshotcreate", vm_id, "early")
    user.ok("release", "vm.action", "release", vm_id)
    vm_walk(user, vm_id, "deploy", "RUNNING")
    user.ok("VM info RUNNING", "vm.info", vm_id)
    user.ok("user info with a running VM", "user.info", -1)
    user.shape("network info with the VM", "vn.info", 0, False, prune=network_seen_by([vm_id]))
    user.shape("network pool with the VM", "vnpool.info", -2, -1, -1,
               prune=lambda root: (only_ids([0])(root), network_seen_by([vm_id])(root)))
    user.shape("VM pool", "vmpool.info", -3, -1, -1, -1, prune=only_ids([vm_id]))
    user.shape("VM pool extended", "vmpool.infoextended", -3, -1, -1, -1, prune=only_ids([vm_id]))
    user.call("resume while RUNNING", "vm.action", "resume", vm_id)
    user.call("lock the VM", "vm.lock", vm_id, 2, False)
    user.ok("VM info while locked", "vm.info", vm_id)
    user.call("poweroff while locked", "vm.action", "poweroff", vm_id)
    user.call("unlock the VM", "vm.unlock", vm_id)
    user.call("detach a disk that is not there", "vm.detach", vm_id, 42)

    user.ok("attach disk", "vm.attach", vm_id, f'DISK=[IMAGE_ID="{image_id}"]')
    user.ok("VM info while attaching", "vm.info", vm_id)
    vm_walk(user, vm_id, "attach", "RUNNING")
    user.ok("VM info after attach", "vm.info", vm_id)
    user.ok("image info while attached", "image.info", image_id)
    user.call("delete an attached image", "image.delete", image_id)
    disk_id = disk_id_of_image(user, vm_id, image_id)
    user.call("diskresize", "vm.diskresize", vm_id, disk_id, "2")
    vm_walk(user, vm_id, "diskresize", "RUNNING")
    user.ok("VM info after diskresize", "vm.info", vm_id)
    user.call("disksnapshotcreate", "vm.disksnapshotcreate", vm_id, disk_id, "ds")
    vm_walk(user, vm_id, "disk snapshot", "RUNNING")
    user.ok("VM info after disk snapshot", "vm.info", vm_id)
    user.call("disksnapshotdelete", "vm.disksnapshotdelete", vm_id, disk_id, 0)
    vm_walk(user, vm_id, "disk snapshot delete", "RUNNING")
    user.ok("detach disk", "vm.detach", vm_id, disk_id)
    vm_walk(user, vm_id, "detach", "RUNNING")
    user.ok("VM info after detach", "vm.info", vm_id)
    walk(user, "image released", lambda: image_state(user, image_id), lambda state: state == "READY")
    user.ok("image info after detach", "image.info", image_id)

    user.call("snapshotcreate", "vm.snapshotcreate", vm_id, "snap")
    vm_walk(user, vm_id, "snapshot create", "RUNNING")
    user.ok("VM info with a snapshot", "vm.info", vm_id)
    user.call("snapshotrevert", "vm.snapshotrevert", vm_id, 0)
    vm_walk(user, vm_id, "snapshot revert", "RUNNING")
    user.call("snapshotrevert of a missing snapshot", "vm.snapshotrevert", vm_id, 42)
    user.call("snapshotdelete", "vm.snapshotdelete", vm_id, 0)
    vm_walk(user, vm_id, "snapshot delete", "RUNNING")
    user.ok("VM info after snapshot delete", "vm.info", vm_id)

    saved_id = user.call("disksaveas", "vm.disksaveas", vm_id, 0, ctx.names.new("saved"), "", -1)
    if saved_id is not None:
        ctx.track("image", saved_id)
        user.ok("VM info while saving a disk", "vm.info", vm_id)
        vm_walk(user, vm_id, "disk save-as", "RUNNING")
        image_walk(user, saved_id, "saved image", "READY")
        user.ok("saved image info", "image.info", saved_id)
        user.ok("VM info after save-as", "vm.info", vm_id)

    user.ok("poweroff", "vm.action", "poweroff", vm_id)
    vm_walk(user, vm_id, "poweroff", "POWEROFF")
    user.ok("VM info POWEROFF", "vm.info", vm_id)
    user.ok("resume", "vm.action", "resume", vm_id)
    vm_walk(user, vm_id, "resume", "RUNNING")
    user.ok("terminate", "vm.action", "terminate-hard", vm_id)
    vm_walk(user, vm_id, "terminate", "DONE")
    user.ok("VM info DONE", "vm.info", vm_id)
    user.call("resume when DONE", "vm.action", "resume", vm_id)
    user.ok("delete image", "image.delete", image_id)
    image_walk(user, image_id, "image delete", "gone")
    user.call("image info after delete", "image.info", image_id)


def image_life_cycle(ctx):
    user = ctx.new_user()
    image_id = ctx.track("image", user.ok("allocate", "image.allocate",
                                          f'NAME="{ctx.names.new("img")}"\nTYPE="DATABLOCK"\nSIZE="1"', 1))
    image_walk(user, image_id, "to READY", "READY")
    user.shape("image pool", "imagepool.info", -3, -1, -1, prune=only_ids([image_id]))
    user.ok("persistent", "image.persistent", image_id, True)
    user.ok("image info persistent", "image.info", image_id)
    user.call("chtype to OS", "image.chtype", image_id, "OS")
    user.ok("update replace", "image.update", image_id, 'DESCRIPTION="new"\nEXTRA="1"', 0)
    user.ok("update append", "image.update", image_id, 'MORE="2"', 1)
    user.ok("image info updated", "image.info", image_id)
    user.call("rename", "image.rename", image_id, ctx.names.new("renamed"))
    user.call("chmod", "image.chmod", image_id, 1, 1, 0, 1, 0, 0, 0, 0, 0)
    user.ok("disable", "image.enable", image_id, False)
    user.ok("image info DISABLED", "image.info", image_id)
    user.ok("enable", "image.enable", image_id, True)
    user.ok("nonpersistent", "image.persistent", image_id, False)
    clone_id = user.call("clone", "image.clone", image_id, ctx.names.new("clone"), -1)
    if clone_id is not None:
        ctx.track("image", clone_id)
        image_walk(user, clone_id, "clone to READY", "READY")
        user.ok("delete clone", "image.delete", clone_id)
    user.call("lock", "image.lock", image_id, 4, False)
    user.ok("image info while locked", "image.info", image_id, False)
    user.call("delete while locked", "image.delete", image_id)
    user.call("unlock", "image.unlock", image_id)
    user.ok("delete", "image.delete", image_id)
    image_walk(user, image_id, "delete", "gone")


def template_life_cycle(ctx):
    user = ctx.new_user()
    template_id = ctx.track("template", user.ok("allocate", "template.allocate",
                                                vm_template(ctx.names.new("tpl"), 'LABELS="a,b"\n')))
    user.ok("template info", "template.info", template_id, False, False)
    user.ok("template info extended", "template.info", template_id, True, False)
    user.shape("template pool", "templatepool.info", -3, -1, -1, prune=only_ids([template_id]))
    user.ok("update replace", "template.update", template_id, vm_template(ctx.names.new("tpl2")), 0)
    user.ok("update append", "template.update", template_id, 'DESCRIPTION="more"', 1)
    user.ok("template info updated", "template.info", template_id, False, False)
    user.call("update with a syntax error", "template.update", template_id, 'A=[B="1"', 1)
    user.call("rename", "template.rename", template_id, ctx.names.new("tpl-renamed"))
    user.call("chmod", "template.chmod", template_id, 1, 1, 0, 1, 0, 0, 0, 0, 0)
    clone_id = user.call("clone", "template.clone", template_id, ctx.names.new("tpl-clone"), False)
    if clone_id is not None:
        ctx.track("template", clone_id)
        user.ok("clone info", "template.info", clone_id, False, False)
    vm_id = user.call("instantiate on hold", "template.instantiate", template_id, ctx.names.new("vm"), True, "", False)
    if vm_id is not None:
        ctx.track("vm", vm_id)
        user.ok("VM info HOLD", "vm.info", vm_id)
        user.ok("terminate the held VM", "vm.action", "terminate-hard", vm_id)
        walk(user, "held VM terminated", lambda: vm_state(user, vm_id), lambda state: state == "DONE")
    user.call("instantiate with a bad extra template", "template.instantiate", template_id, "", True, "A=[", False)
    user.ok("delete", "template.delete", template_id, False)
    user.call("info after delete", "template.info", template_id, False, False)


def document_life_cycle(ctx):
    user = ctx.new_user()
    document_id = ctx.track("document", user.ok("allocate", "document.allocate",
                                                f'NAME="{ctx.names.new("doc")}"\nA="1"\nV=[K="v"]', DOCUMENT_TYPE))
    user.ok("document info", "document.info", document_id, False)
    user.shape("document pool", "documentpool.info", -3, -1, -1, DOCUMENT_TYPE, prune=only_ids([document_id]))
    user.ok("update replace", "document.update", document_id, 'B="2"', 0)
    user.ok("update append", "document.update", document_id, 'C="3"', 1)
    user.ok("document info updated", "document.info", document_id, False)
    user.call("update with a syntax error", "document.update", document_id, 'A=[B="1"', 1)
    user.call("rename", "document.rename", document_id, ctx.names.new("doc-renamed"))
    user.call("chmod", "document.chmod", document_id, 1, 1, 0, 1, 0, 0, 0, 0, 0)
    clone_id = user.call("clone", "document.clone", document_id, ctx.names.new("doc-clone"))
    if clone_id is not None:
        ctx.track("document", clone_id)
        user.ok("clone info", "document.info", clone_id, False)
    user.call("lock", "document.lock", document_id, 1, False)
    user.ok("document info while locked", "document.info", document_id, False)
    user.call("update while locked", "document.update", document_id, 'D="4"', 1)
    user.call("lock again, testing", "document.lock", document_id, 1, True)
    ctx.admin.call("update while locked, as oneadmin", "document.update", document_id, 'D="4"', 1)
    user.call("unlock", "document.unlock", document_id)
    user.ok("delete", "document.delete", document_id)
    user.call("info after delete", "document.info", document_id, False)


def network_and_users(ctx):
    user = ctx.new_user()
    other = ctx.new_user("other")
    user.shape("network info", "vn.info", 0, False, prune=network_seen_by([]))
    user.shape("network pool", "vnpool.info", -2, -1, -1, prune=lambda root: (only_ids([0])(root),
                                                                             network_seen_by([])(root)))
    ctx.admin.shape("network info as oneadmin", "vn.info", 0, False, prune=network_seen_by([]))
    user.ok("user info", "user.info", -1, False)
    ctx.admin.ok("user info as oneadmin", "user.info", user.uid, False)
    user.shape("user pool", "userpool.info", prune=only_ids([user.uid, other.uid]))
    ctx.admin.shape("user pool as oneadmin", "userpool.info", prune=only_ids([user.uid, other.uid]))
    user.ok("user update", "user.update", user.uid, 'SSH_PUBLIC_KEY="ssh-ed25519 AAAA k"', 1)
    user.ok("user info updated", "user.info", -1, False)
    user.call("other user's info", "user.info", other.uid, False)
    user.call("change own password", "user.passwd", user.uid, "pw")
    user.call("change other's password", "user.passwd", other.uid, "x")
    ctx.admin.call("allocate a user with a space in the name", "user.allocate", "bad name", "pw", "", [])
    ctx.admin.call("allocate an existing user name", "user.allocate", "demo", "pw", "", [])


def errors(ctx):
    owner = ctx.new_user("owner")
    other = ctx.new_user("other")
    wrong = ctx.session("demo:wrong-password")
    wrong.call("wrong password", "user.info", -1, False)
    wrong.call("wrong password on a VM call", "vm.info", 0)
    ctx.session(f"{ctx.names.new('nobody')}:pw").call("unknown user", "user.info", -1, False)
    ctx.session("").call("empty session", "user.info", -1, False)
    image_id = datablock(owner, ctx, "private", "private image READY")
    document_id = ctx.track("document", owner.ok("allocate document", "document.allocate",
                                                 f'NAME="{ctx.names.new("doc")}"', DOCUMENT_TYPE))
    template_id = ctx.track("template", owner.ok("allocate template", "template.allocate",
                                                 vm_template(ctx.names.new("tpl"))))
    other.call("others' image info", "image.info", image_id, False)
    other.call("others' image delete", "image.delete", image_id, False)
    other.call("others' document info", "document.info", document_id, False)
    other.call("others' template instantiate", "template.instantiate", template_id, "", True, "", False)
    other.call("a VM from others' image", "vm.allocate",
               vm_template(ctx.names.new("vm"), f'DISK=[IMAGE_ID="{image_id}"]\n'), True)
    other.call("admin-only call", "user.allocate", ctx.names.new("u"), "pw", "", [])
    other.call("others' image pool", "imagepool.info", owner.uid, -1, -1)
    missing = 987654
    for kind, args in (("vm", ()), ("image", (False,)), ("template", (False, False)), ("document", (False,)),
                       ("vn", (False,)), ("user", (False,)), ("group", (False,)), ("host", (False,)),
                       ("datastore", (False,))):
        ctx.admin.call(f"{kind} info of a missing id", f"{kind}.info", missing, *args)
    ctx.admin.call("action on a missing VM", "vm.action", "resume", missing)
    ctx.admin.call("delete a missing image", "image.delete", missing, False)
    ctx.admin.call("delete a missing template", "template.delete", missing, False)
    ctx.admin.call("delete a missing document", "document.delete", missing)
    ctx.admin.call("unknown action", "vm.action", "fly", missing)
    owner.call("image in a missing datastore", "image.allocate", f'NAME="{ctx.names.new("i")}"\nTYPE="DATABLOCK"\nSIZE="1"', missing)
    owner.call("image without a size", "image.allocate", f'NAME="{ctx.names.new("i")}"\nTYPE="DATABLOCK"', 1)
    owner.call("template syntax error", "template.allocate", 'NAME="x"\nA=[')
    owner.call("VM without memory", "vm.allocate", f'NAME="{ctx.names.new("vm")}"\nCPU="1"', True)
    owner.call("VM with a missing image", "vm.allocate",
               f'NAME="{ctx.names.new("vm")}"\nCPU="1"\nMEMORY="64"\nDISK=[IMAGE="{ctx.names.new("none")}"]', True)


def _sized_name(ctx, label, size_bytes, filler="x"):
    """A run-unique name of exactly `size_bytes` UTF-8 bytes (`filler` pads it)."""
    base = ctx.names.new(label) + "-"
    padding = size_bytes - len(base.encode())
    return base + filler * (padding // len(filler.encode())) + "x" * (padding % len(filler.encode()))


def _allocate_named(session, ctx, step, kind, name):
    """Allocate an image, template or document called `name`; track and read it when created."""
    if kind == "image":
        object_id = session.call(step, "image.allocate", f'NAME="{name}"\nTYPE="DATABLOCK"\nSIZE="1"', 1)
    elif kind == "template":
        object_id = session.call(step, "template.allocate", f'NAME="{name}"\nCPU="1"\nMEMORY="64"')
    else:
        object_id = session.call(step, "document.allocate", f'NAME="{name}"', DOCUMENT_TYPE)
    if object_id is not None:
        ctx.track(kind, object_id)
        info = session.raw(f"{kind}.info", object_id, *((False, False) if kind == "template" else (False,)))
        session.value(f"{step}: stored name", etree.fromstring(info[1].encode()).findtext("NAME"))
    return object_id


def names(ctx):
    user = ctx.new_user()
    for kind in ("image", "template", "document"):
        for char in FORBIDDEN_NAME_CHARS:
            _allocate_named(user, ctx, f"{kind} name with {char!r}", kind, ctx.names.new("n") + char + "x")
        _allocate_named(user, ctx, f"{kind} name of 128 bytes", kind, _sized_name(ctx, "n", NAME_LIMIT_BYTES))
        _allocate_named(user, ctx, f"{kind} name of 129 bytes", kind, _sized_name(ctx, "n", NAME_LIMIT_BYTES + 1))
        _allocate_named(user, ctx, f"{kind} name of 130 bytes in 2-byte chars", kind,
                        _sized_name(ctx, "n", NAME_LIMIT_BYTES + 2, "é"))
        _allocate_named(user, ctx, f"{kind} name of 300 bytes", kind, _sized_name(ctx, "n", 300))
        _allocate_named(user, ctx, f"{kind} name with trailing spaces", kind, ctx.names.new("n") + "  ")
        _allocate_named(user, ctx, f"{kind} name with leading spaces", kind, "  " + ctx.names.new("n"))
        _allocate_named(user, ctx, f"{kind} empty name", kind, "")
    template_id = _allocate_named(user, ctx, "template to rename", "template", ctx.names.new("t"))
    document_id = _allocate_named(user, ctx, "document to rename", "document", ctx.names.new("d"))
    if template_id is None or document_id is None:
        raise ScenarioBroken("the objects to rename could not be created")
    for char in ":#<":
        user.call(f"rename template with {char!r}", "template.rename", template_id, ctx.names.new("r") + char)
        user.call(f"rename document with {char!r}", "document.rename", document_id, ctx.names.new("r") + char)
    user.call("rename template to 129 bytes", "template.rename", template_id, _sized_name(ctx, "r", 129))
    user.call("rename document to 129 bytes", "document.rename", document_id, _sized_name(ctx, "r", 129))
    user.call("rename template to empty", "template.rename", template_id, "")
    for kind, object_id in (("template", template_id), ("document", document_id)):
        for step, text in (("]]> in a value", 'DESCRIPTION="a]]>b"'),
                           ("]]> in a vector value", 'V=[K="a]]>b"]'),
                           ("trailing spaces in a value", 'DESCRIPTION="value  "'),
                           ("a value with a newline", 'DESCRIPTION="line1\nline2"')):
            if user.call(f"{kind} update: {step}", f"{kind}.update", object_id, text, 1) is not None:
                user.ok(f"{kind} info after update: {step}", f"{kind}.info", object_id,
                        *((False, False) if kind == "template" else (False,)))
    created = user.call("template allocate with ]]> in a value", "template.allocate",
                        f'NAME="{ctx.names.new("t")}"\nCPU="1"\nMEMORY="64"\nDESCRIPTION="x]]>y"')
    if created is not None:
        ctx.track("template", created)


SCENARIOS = {
    "vm_life_cycle": vm_life_cycle,
    "image_life_cycle": image_life_cycle,
    "template_life_cycle": template_life_cycle,
    "document_life_cycle": document_life_cycle,
    "network_and_users": network_and_users,
    "errors": errors,
    "names": names,
}
