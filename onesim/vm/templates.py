"""VM templates: one.template.* and one.templatepool.info (VMTemplateXRPC.cc, oned 7.0)."""
import contextlib
import copy
import time

from .. import auth, images
from ..common import check_lock, name_taken, register_common_methods
from ..errors import INTERNAL, OneError, allocate_failed, internal_error, unwritable
from ..names import name_error
from ..registry import Bool, Int, Str, pool_type, rpc
from ..store import PoolObject, permissions_from_umask
from ..template import Template
from ..users import updated_template
from . import creation, disks, resources
from .methods import parse

OBJECT_NAME = "virtual machine template"


@pool_type("template", OBJECT_NAME)
class VmTemplate(PoolObject):
    unique_names = True

    def __init__(self, name, caller, template):
        super().__init__(name=name, uid=caller.uid, gid=caller.gid, uname=caller.name,
                         gname=caller.gname, permissions=permissions_from_umask(), template=template)
        self.regtime = int(time.time())

    def render(self):
        return (f"<VMTEMPLATE>{self.owner_xml()}{self.lock_xml()}{self.permissions_xml()}"
                f"<REGTIME>{self.regtime}</REGTIME>{self.template.to_xml()}</VMTEMPLATE>")


register_common_methods("one.template", "template", methods=("rename", "chmod", "chown", "lock", "unlock"))


def template_for(call, oid, operation, lockable=True):
    """The template, authorized for `operation`; reads pass `lockable=False` (see vm_for)."""
    vm_template = call.pool("template").get(oid)
    auth.authorize(call.caller, vm_template, operation)
    if lockable:
        check_lock(vm_template, operation, call.caller)
    return vm_template


def _new_template(call, name, template):
    """VMTemplatePool::allocate: its failures are bare INTERNAL errors for
    template.allocate; a clone or a persistent copy wraps them (`_copy_failures`)."""
    template.remove("NAME")  # VMTemplate::insert keeps the name out of the body
    error = name_error(name)
    if error is not None:
        raise internal_error(error)
    taken = name_taken(call, "template", name, call.caller.uid)
    if taken is not None:
        raise internal_error(f"NAME is already taken by TEMPLATE {taken.id}.")
    if template.holds_cdata_end():
        raise unwritable("Template")
    return call.pool("template").add(VmTemplate(name, call.caller, template))


@contextlib.contextmanager
def _copy_failures():
    """VMTemplateClone and VMTemplateInstantiate report a failed allocation against the
    template: "Error allocating a new virtual machine template. ..." (ALLOCATE)."""
    try:
        yield
    except OneError as error:
        if error.code != INTERNAL:
            raise
        raise allocate_failed(OBJECT_NAME, error.message) from error


@rpc("one.template.allocate", Str("template"))
def template_allocate(call, text):
    auth.authorize_create(call.caller, "template")
    template = parse(text)
    return _new_template(call, (template.remove("NAME") or [""])[0], template)


def _clone_name(name):
    """The name of a clone or a persistent copy, checked before any image is copied."""
    with _copy_failures():
        error = name_error(name)
        if error is not None:
            raise internal_error(error)


@rpc("one.template.info", Int("id"), Bool("extended", False), Bool("decrypt", False))
def template_info(call, oid, extended, decrypt):
    vm_template = template_for(call, oid, auth.USE, lockable=False)
    if not extended:
        return vm_template.xml
    shown = copy.copy(vm_template)
    shown.template = _extended(call, vm_template.template)
    return shown.render()


def _extended(call, template):
    """The extended view: DISKs and NICs completed from their images and networks as a VM
    would get them, nothing acquired (VMTemplate extended info); unresolvable ones stay as is."""
    extended = template.copy()
    extended.remove("DISK")
    for disk_id, disk in enumerate(template.vectors("DISK")):
        disk["DISK_ID"] = str(disk_id)
        if not disks.is_volatile(disk):
            try:
                disk = disks.image_disk(call.emulator, disk, disks.image_for(call, disk))
            except OneError:
                pass
        extended.add("DISK", list(disk.items()))
    extended.remove("NIC")
    for nic in template.vectors("NIC"):
        try:
            nic["NETWORK_ID"] = str(resources.vnet_for(call, nic).id)
        except OneError:
            pass
        extended.add("NIC", list(nic.items()))
    return extended


@rpc("one.templatepool.info", Int("filter"), Int("start"), Int("end"))
def templatepool_info(call, filter_flag, start, end):
    templates = auth.select(call.caller, call.pool("template"), filter_flag, start, end)
    return auth.pool_xml("VMTEMPLATE_POOL", templates)


@rpc("one.template.update", Int("id"), Str("template"), Int("append", 0))
def template_update(call, oid, text, append):
    vm_template = template_for(call, oid, auth.MANAGE)
    # Unlike allocate, oned's update keeps a NAME given in the body inside TEMPLATE.
    vm_template.template = updated_template(vm_template.template, text, append)
    call.pool("template").save(vm_template)
    return oid


@rpc("one.template.delete", Int("id"), Bool("recursive", False))
def template_delete(call, oid, recursive):
    vm_template = template_for(call, oid, auth.MANAGE)
    if recursive:
        for image_id in _disk_images(call, vm_template.template):
            images.image_delete(call, image_id, False)
    call.pool("template").drop(vm_template)
    return oid


def _disk_images(call, template):
    """Ids of the images the template's DISKs name (by IMAGE_ID or by IMAGE)."""
    found = []
    for disk in template.vectors("DISK"):
        if disk.get("IMAGE_ID", "").isdigit():
            found.append(int(disk["IMAGE_ID"]))
        elif disk.get("IMAGE"):
            image = call.pool("image").by_name(disk["IMAGE"], call.caller.uid)
            if image is not None:
                found.append(image.id)
    return found


def _clone_disk_images(call, template, name, persistent):
    """oned's recursive clone: every image DISK gets a copy named <name>-disk-<n>."""
    disks = []
    for index, disk in enumerate(template.vectors("DISK")):
        source = _disk_images(call, Template([("DISK", list(disk.items()))]))
        if source:
            copy_id = images.image_clone(call, source[0], f"{name}-disk-{index}", -1)
            if persistent:
                images.image_persistent(call, copy_id, True)
            disk = {"IMAGE_ID": str(copy_id), **{key: value for key, value in disk.items()
                                                 if key not in ("IMAGE_ID", "IMAGE", "IMAGE_UNAME", "IMAGE_UID")}}
        disks.append(disk)
    copied = template.copy()
    copied.remove("DISK")
    for disk in disks:
        copied.add("DISK", list(disk.items()))
    return copied


@rpc("one.template.clone", Int("id"), Str("name"), Bool("recursive", False))
def template_clone(call, oid, name, recursive):
    source = template_for(call, oid, auth.USE)
    auth.authorize_create(call.caller, "template")
    _clone_name(name)
    copied = _clone_disk_images(call, source.template, name, False) if recursive else source.template.copy()
    with _copy_failures():
        return _new_template(call, name, copied)


@rpc("one.template.instantiate", Int("id"), Str("name", ""), Bool("hold", False), Str("extra", ""),
     Bool("persistent", False))
def template_instantiate(call, oid, name, hold, extra, persistent):
    vm_template = template_for(call, oid, auth.USE)
    merged = vm_template.template.copy()
    if extra:
        merged.merge(parse(extra))  # oned leaves the envelope's object id at -1 here
    if name:
        _clone_name(name)
    if persistent:
        # oned keeps a private copy of the template and of its images, made persistent.
        copy_name = name or f"{vm_template.name}-copy"
        merged = _clone_disk_images(call, merged, copy_name, True)
        with _copy_failures():
            oid = _new_template(call, copy_name, merged.copy())
    merged.set("TEMPLATE_ID", str(oid))
    merged.set("TEMPLATE_NAME", vm_template.name)
    merged.remove("NAME")
    if name:
        merged.set("NAME", name)
    with _copy_failures():
        return creation.create_vm(call, merged, hold).id
