"""Images: one.image.* methods, and the acquire/release/save-as services VMs use.

Life-cycle as oned with the dummy datastore driver: a new image is LOCKED while the driver
"copies" it, then READY; VMs using it make it USED (USED_PERS when persistent, one VM at a
time unless PERSISTENT_TYPE=SHAREABLE).
"""
import time

from . import auth
from .common import check_lock, managed, register_common_methods
from .datastores import FILE_DS, IMAGE_DS, link_image
from .errors import ACTION, INTERNAL, OneError, allocate_failed, internal_error
from .names import name_error
from .registry import Bool, Int, Str, on_start, pool_type, rpc
from .store import PoolObject, escape
from .template import Template, TemplateError, cdata

INIT, READY, USED, DISABLED, LOCKED, ERROR, CLONE, DELETE, USED_PERS, LOCKED_USED, LOCKED_USED_PERS = range(11)
STATE_NAMES = ("INIT", "READY", "USED", "DISABLED", "LOCKED", "ERROR", "CLONE", "DELETE", "USED",
               "LOCKED_USED", "LOCKED_USED")
IMAGE_TYPES = ("OS", "CDROM", "DATABLOCK", "KERNEL", "RAMDISK", "CONTEXT", "BACKUP", "FILESYSTEM")
OS, CDROM, DATABLOCK = 0, 1, 2
# chtype only moves within one family (ImageAPI::change_type).
TYPE_FAMILIES = ({"OS", "CDROM", "DATABLOCK"}, {"KERNEL", "RAMDISK", "CONTEXT"})
# oned.conf defaults.
DEFAULT_IMAGE_TYPE = "OS"
DEFAULT_DEVICE_PREFIX = "sd"
DEFAULT_CDROM_DEVICE_PREFIX = "hd"
# What the dummy datastore driver answers (datastore_mad/remotes/dummy/{cp,mkfs,stat}).
DUMMY_SOURCE = "dummy_path"
DUMMY_FORMAT = "dummy_format"
DUMMY_STAT_SIZE = 1024
TRANSFER_DELAY = 1.0
# The dummy driver's rm answers in a fraction of a second; the image waits in DELETE.
DELETE_DELAY = 0.2
# Template attributes oned moves into the image's own elements.
OWN_ATTRIBUTES = ("NAME", "TYPE", "PERSISTENT", "SIZE", "PATH", "SOURCE", "FORMAT", "FS")
IN_USE = {USED, USED_PERS, LOCKED_USED, LOCKED_USED_PERS}
# ImageTemplate::set_saving: an image being written by a VM's disksaveas, until it is READY.
SAVING_MARK = "SAVE_AS_HOT"


@pool_type("image", "image")
class Image(PoolObject):
    unique_names = True

    def __init__(self, name, image_type, datastore, size, persistent=False, path="", source=DUMMY_SOURCE,
                 image_format="raw", fs="", template=None, **owner):
        super().__init__(name=name, template=template, **owner)
        self.type = image_type
        self.disk_type = 0
        self.persistent = int(persistent)
        self.regtime = self.modtime = int(time.time())
        self.source = source
        self.path = path
        self.format = image_format
        self.fs = fs
        self.size = size
        self.state = self.prev_state = LOCKED
        self.running_vms = 0
        self.cloning_ops = 0
        self.cloning_id = -1
        self.datastore_id = datastore.id
        self.datastore = datastore.name
        self.vms = []
        self.clones = []
        self.transfer = "allocate"

    @property
    def type_name(self):
        return IMAGE_TYPES[self.type]

    @property
    def shareable(self):
        return self.template.get("PERSISTENT_TYPE", "").upper() == "SHAREABLE"

    def set_state(self, state):
        self.prev_state = self.state = state

    def render(self):
        vms = "".join(f"<ID>{vid}</ID>" for vid in self.vms)
        clones = "".join(f"<ID>{cid}</ID>" for cid in self.clones)
        return (f"<IMAGE>{self.owner_xml()}{self.lock_xml()}{self.permissions_xml()}"
                f"<TYPE>{self.type}</TYPE><DISK_TYPE>{self.disk_type}</DISK_TYPE>"
                f"<PERSISTENT>{self.persistent}</PERSISTENT><REGTIME>{self.regtime}</REGTIME>"
                f"<MODTIME>{self.modtime}</MODTIME><SOURCE>{cdata(self.source)}</SOURCE>"
                f"<PATH>{cdata(self.path)}</PATH><FORMAT>{cdata(self.format)}</FORMAT><FS>{cdata(self.fs)}</FS>"
                f"<SIZE>{self.size}</SIZE><STATE>{self.state}</STATE><PREV_STATE>{self.prev_state}</PREV_STATE>"
                f"<RUNNING_VMS>{self.running_vms}</RUNNING_VMS><CLONING_OPS>{self.cloning_ops}</CLONING_OPS>"
                f"<CLONING_ID>{self.cloning_id}</CLONING_ID><TARGET_SNAPSHOT>-1</TARGET_SNAPSHOT>"
                f"<DATASTORE_ID>{self.datastore_id}</DATASTORE_ID><DATASTORE>{escape(self.datastore)}</DATASTORE>"
                f"<VMS>{vms}</VMS><CLONES>{clones}</CLONES><APP_CLONES></APP_CLONES>{self.template.to_xml()}"
                f"<SNAPSHOTS><ALLOW_ORPHANS>{cdata('NO')}</ALLOW_ORPHANS><CURRENT_BASE>{cdata('-1')}</CURRENT_BASE>"
                f"<NEXT_SNAPSHOT>{cdata('0')}</NEXT_SNAPSHOT></SNAPSHOTS>"
                "<BACKUP_INCREMENTS></BACKUP_INCREMENTS><BACKUP_DISK_IDS></BACKUP_DISK_IDS></IMAGE>")


def _owner(caller):
    return {"uid": caller.uid, "gid": caller.gid, "uname": caller.name, "gname": caller.gname}


def _allocation_error(detail):
    return allocate_failed("image", detail)


def _parse(text):
    try:
        return Template.parse(text)
    except TemplateError as error:
        raise internal_error(str(error)) from error


def _size(template, type_name):
    """SIZE in MB as ImageManager::stat_image finds it (the dummy driver's stat says 1024)."""
    path, source = template.get("PATH", ""), template.get("SOURCE", "")
    needs_size = bool(source) or (not path and type_name in ("OS", "DATABLOCK"))
    if not needs_size and not path:
        raise OneError(INTERNAL, f"Cannot parse image SIZE: Either PATH or SOURCE are required for {type_name}")
    if not needs_size:
        return DUMMY_STAT_SIZE
    try:
        return int(template.get("SIZE", ""))
    except ValueError:
        raise OneError(INTERNAL, "Cannot parse image SIZE: Wrong number or missing SIZE attribute.") from None


def new_image(emulator, caller, template, datastore, skip_capacity_check=False):
    """Check an allocate request in oned's order and create the (LOCKED) image."""
    if datastore.type not in (IMAGE_DS, FILE_DS):
        raise _allocation_error("New images can only be allocated in a files or image datastore.")
    type_name = (template.get("TYPE") or DEFAULT_IMAGE_TYPE).upper()
    size = _size(template, type_name)
    if not skip_capacity_check and size > datastore.free_mb:
        raise OneError(ACTION, "Not enough space in datastore")
    auth.authorize_create(caller, "image")
    auth.authorize(caller, datastore, auth.USE)
    name = _checked_name(emulator, template, type_name, caller)
    path, source, image_format = _files(template)
    kept = Template([(key, value) for key, value in template.attributes
                     if key not in OWN_ATTRIBUTES + ("DRIVER", "TM_MAD")])
    _default_dev_prefix(kept, type_name)
    persistent = template.get("PERSISTENT", "NO").upper() == "YES"
    if kept.holds_cdata_end():
        raise _allocation_error("Error transforming the Image to XML.")
    image = Image(name, IMAGE_TYPES.index(type_name), datastore, size, persistent, path, source, image_format,
                  template.get("FS", ""), kept, **_owner(caller))
    emulator.pool("image").add(image)
    link_image(emulator, datastore, image.id, True)
    schedule_transfer(emulator, image.id)
    return image


def _default_dev_prefix(template, type_name):
    """Image::insert gives a disk image without DEV_PREFIX the configured default."""
    if template.get("DEV_PREFIX") is None and type_name in ("OS", "DATABLOCK", "CDROM"):
        template.set("DEV_PREFIX", DEFAULT_CDROM_DEVICE_PREFIX if type_name == "CDROM" else DEFAULT_DEVICE_PREFIX)


def _checked_name(emulator, template, type_name, caller):
    """Image::insert's checks of TYPE and NAME (unique per owner)."""
    if type_name not in IMAGE_TYPES:
        raise _allocation_error(f"Wrong image type: {type_name}")
    return _unique_name(emulator, template.get("NAME", ""), caller)


def _unique_name(emulator, name, caller):
    """ImagePool::allocate's name checks: valid, then unique per owner (ALLOCATE)."""
    error = name_error(name)
    if error is not None:
        raise _allocation_error(error)
    existing = name_taken_in(emulator, name, caller.uid)
    if existing is not None:
        raise _allocation_error(f"NAME is already taken by IMAGE {existing.id}.")
    return name


def _files(template):
    """PATH, SOURCE and FORMAT: a copied file gets the driver's format, an empty one raw.
    SOURCE stays empty until the datastore driver answers (`set_image_ready`)."""
    path, source = template.get("PATH", ""), template.get("SOURCE", "")
    if path and source:
        raise _allocation_error("PATH and SOURCE cannot be both set.")
    if source and not template.get("FORMAT"):
        raise _allocation_error("SOURCE needs FORMAT to be set.")
    image_format = DUMMY_FORMAT if path else (template.get("FORMAT") or "raw").lower()
    return path, source, image_format


def name_taken_in(emulator, name, uid):
    return next((image for image in emulator.pool("image").values()
                 if image.name == name and image.uid == uid), None)


def schedule_transfer(emulator, image_id, delay=TRANSFER_DELAY):
    """The dummy driver finishes copying/cloning/removing after a short while."""
    emulator.after(delay, lambda: finish_transfer(emulator, image_id))


def finish_transfer(emulator, image_id):
    image = emulator.pool("image").find(image_id)
    if image is None or image.transfer is None:
        return
    if image.transfer == "delete":
        _drop_image(emulator, image)
        return
    if image.transfer == "clone":
        _finish_clone_of_source(emulator, image)
    image.transfer = None
    set_image_ready(emulator, image_id)


def _finish_clone_of_source(emulator, image):
    source = emulator.pool("image").find(image.cloning_id)
    image.cloning_id = -1
    if source is None:
        return
    source.cloning_ops = max(0, source.cloning_ops - 1)
    source.clones = [cid for cid in source.clones if cid != image.id]
    if source.cloning_ops == 0 and source.running_vms == 0 and source.state in (USED, CLONE):
        source.set_state(READY)
    emulator.pool("image").save(source)


def set_image_ready(emulator, image_id):
    """End of a datastore operation: LOCKED -> READY (LOCKED_USED* -> USED*)."""
    image = emulator.pool("image").find(image_id)
    if image is None:
        return
    following = {LOCKED: READY, LOCKED_USED: USED, LOCKED_USED_PERS: USED_PERS}
    if image.state in following:
        image.set_state(following[image.state])
        image.transfer = None
        image.source = image.source or DUMMY_SOURCE
        image.template.remove(SAVING_MARK)
        emulator.pool("image").save(image)


@on_start
def resume_transfers(emulator):
    for image in emulator.pool("image").values():
        if image.transfer in ("allocate", "clone"):
            schedule_transfer(emulator, image.id)
        elif image.transfer == "delete":
            schedule_transfer(emulator, image.id, DELETE_DELAY)


# ---------------------------------------------------------------- VM services

def _cannot_acquire(image, reason):
    return OneError(ACTION, f"Cannot acquire image {image.id}, {reason}", image.id)


DISK_TYPES = {OS, CDROM, DATABLOCK}
_LOCKED_STATES = (LOCKED, LOCKED_USED, LOCKED_USED_PERS)


def acquire_image(emulator, caller, image_id, vm_id, hot=False):
    """A VM starts using the image (ImageManager::acquire_image). Returns the image.

    `hot` is a hot-plug attach, which, unlike VM creation, refuses a LOCKED image.
    """
    pool = emulator.pool("image")
    image = pool.get(image_id)
    auth.authorize(caller, image, auth.USE)
    check_lock(image, auth.USE, caller)
    if image.type not in DISK_TYPES:
        raise OneError(ACTION, f"Image {image.id} ({image.name}) of type {image.type_name} cannot be used as DISK.",
                       image.id)
    if image.state in (INIT, DISABLED, ERROR, DELETE, CLONE):
        raise _cannot_acquire(image, f"it is in state: {STATE_NAMES[image.state]}")
    if image.state in (USED_PERS, LOCKED_USED_PERS) and not image.shareable:
        raise _cannot_acquire(image, "it is persistent and already in use")
    if image.state in _LOCKED_STATES and hot:
        raise _cannot_acquire(image, "it is locked")
    if image.state in _LOCKED_STATES:
        image.set_state(LOCKED_USED_PERS if image.persistent else LOCKED_USED)
    else:
        image.set_state(USED_PERS if image.persistent else USED)
    image.running_vms += 1
    image.vms = sorted(set(image.vms) | {vm_id})
    pool.save(image)
    return image


def release_image(emulator, image_id, vm_id):
    """The VM stops using the image; the last one out makes it READY again."""
    pool = emulator.pool("image")
    image = pool.find(image_id)
    if image is None or vm_id not in image.vms:
        return
    image.vms = [vid for vid in image.vms if vid != vm_id]
    image.running_vms = max(0, image.running_vms - 1)
    if image.running_vms == 0 and image.cloning_ops == 0:
        if image.state in (USED, USED_PERS):
            image.set_state(READY)
        elif image.state in (LOCKED_USED, LOCKED_USED_PERS):
            image.set_state(LOCKED)
    pool.save(image)


def disk_attributes(emulator, image):
    """The DISK vector pairs oned derives from an image and its datastore (sorted by oned)."""
    datastore = emulator.pool("datastore").get(image.datastore_id)
    ds_template = datastore.template
    persistent = bool(image.persistent)
    pairs = [
        ("ALLOW_ORPHANS", ds_template.get("ALLOW_ORPHANS", "NO")),
        ("CLONE", "NO" if persistent else "YES"),
        ("CLONE_TARGET", ds_template.get("CLONE_TARGET", "SYSTEM")),
        ("CLUSTER_ID", "0"), ("DATASTORE", datastore.name), ("DATASTORE_ID", str(datastore.id)),
        ("DEV_PREFIX", image.template.get("DEV_PREFIX", DEFAULT_DEVICE_PREFIX)),
        ("DISK_SNAPSHOT_TOTAL_SIZE", "0"), ("DISK_TYPE", "FILE"),
        ("DRIVER", image.template.get("DRIVER", image.format)), ("FORMAT", image.format),
        ("IMAGE", image.name), ("IMAGE_ID", str(image.id)), ("IMAGE_STATE", str(image.state)),
        ("IMAGE_UNAME", image.uname), ("LN_TARGET", ds_template.get("LN_TARGET", "NONE")),
        ("ORIGINAL_SIZE", str(image.size)),
        ("PERSISTENT_SNAPSHOTS", ds_template.get("PERSISTENT_SNAPSHOTS", "YES")),
        ("READONLY", "YES" if image.type == CDROM else "NO"), ("SAVE", "YES" if persistent else "NO"),
        ("SIZE", str(image.size)), ("SOURCE", image.source), ("TM_MAD", datastore.tm_mad),
        ("TYPE", "CDROM" if image.type == CDROM else "FILE"),
    ]
    if persistent:
        pairs.append(("PERSISTENT", "YES"))
        # Image::disk_attribute: only a raw persistent image is shared between VMs.
        if image.shareable and image.format == "raw":
            pairs.append(("SHAREABLE", "YES"))
    return pairs


def create_saved_image(emulator, caller, source_image, name, image_type, vm_id, disk_id):
    """disksaveas: a new LOCKED image holding a copy of a VM disk; returns its id.

    `source_image` is the disk's image (None for a volatile disk). The VM life-cycle calls
    `set_image_ready(emulator, id)` when its save-as completes.
    """
    type_name = (image_type or (source_image.type_name if source_image else "DATABLOCK")).upper()
    if type_name not in ("OS", "DATABLOCK", "CDROM"):
        raise OneError(ACTION, f"Image type {type_name} is not supported for disk save as.", vm_id)
    _unique_name(emulator, name, caller)
    datastore = emulator.pool("datastore").get(source_image.datastore_id if source_image else 1)
    auth.authorize(caller, datastore, auth.USE)
    template = Template([
        ("DEV_PREFIX", source_image.template.get("DEV_PREFIX", DEFAULT_DEVICE_PREFIX) if source_image
         else DEFAULT_DEVICE_PREFIX),
        ("SAVED_DISK_ID", str(disk_id)), ("SAVED_IMAGE_ID", str(source_image.id if source_image else -1)),
        ("SAVED_VM_ID", str(vm_id)), (SAVING_MARK, "YES")])
    size = source_image.size if source_image else DUMMY_STAT_SIZE
    image = Image(name, IMAGE_TYPES.index(type_name), datastore, size, False, "", "",
                  DUMMY_FORMAT, "", template, **_owner(caller))
    image.transfer = "saveas"
    emulator.pool("image").add(image)
    link_image(emulator, datastore, image.id, True)
    return image.id


# ---------------------------------------------------------------- XML-RPC methods

@rpc("one.image.allocate", Str("template"), Int("ds_id"), Bool("skip_capacity_check", False))
def image_allocate(call, text, ds_id, skip_capacity_check):
    template = _parse(text)
    datastore = call.pool("datastore").get(ds_id)
    skip_capacity_check = skip_capacity_check and call.caller.is_admin
    return new_image(call.emulator, call.caller, template, datastore, skip_capacity_check).id


@rpc("one.image.info", Int("id"), Bool("decrypt", False))
def image_info(call, oid, decrypt):
    image = call.pool("image").get(oid)
    auth.authorize(call.caller, image, auth.USE)
    return image.xml


@rpc("one.imagepool.info", Int("filter"), Int("start"), Int("end"))
def imagepool_info(call, filter_flag, start, end):
    images = auth.select(call.caller, call.pool("image"), filter_flag, start, end)
    return auth.pool_xml("IMAGE_POOL", images)


@rpc("one.image.delete", Int("id"), Bool("force", False))
def image_delete(call, oid, force):
    # ImageDelete::request_execute: an image whose copy runs goes only by force, which takes
    # ADMIN rights on it (an ordinary owner has none); without force it is refused before
    # anyone's rights are looked at, so whoever asks hears that it is locked.
    image = call.pool("image").get(oid)
    locked = image.state in _LOCKED_STATES
    if locked and not force:
        raise OneError(INTERNAL, "Image locked, use --force flag to remove the image. "
                                 "Force delete may leave some files on Datastore", oid)
    image = managed(call, "image", oid, auth.ADMIN if locked else auth.MANAGE)
    # oned's ImageManager::delete_image refusals leave the envelope's object id at -1.
    if image.state == CLONE:
        raise OneError(ACTION, f"Cannot delete image. There are {image.cloning_ops} active clone operations.")
    if image.running_vms > 0 or image.state in IN_USE:
        raise OneError(ACTION, f"Cannot delete image. There are {image.running_vms} VMs using it.")
    # A clone deleted while being copied releases its source, as ImageManager::delete_image.
    if image.cloning_id != -1:
        _finish_clone_of_source(call.emulator, image)
    if not image.source:
        # oned drops an image the datastore never filled at once.
        _drop_image(call.emulator, image)
        return oid
    # Otherwise the datastore driver removes it: the image waits in DELETE until then.
    image.set_state(DELETE)
    image.transfer = "delete"
    call.pool("image").save(image)
    schedule_transfer(call.emulator, oid, DELETE_DELAY)
    return oid


def _drop_image(emulator, image):
    datastore = emulator.pool("datastore").find(image.datastore_id)
    if datastore is not None:
        link_image(emulator, datastore, image.id, False)
    emulator.pool("image").drop(image)


@rpc("one.image.chtype", Int("id"), Str("type"))
def image_chtype(call, oid, type_name):
    image = managed(call, "image", oid)
    type_name = type_name.upper()
    if type_name not in IMAGE_TYPES:
        # ImageChangeType names the type it could not read: none.
        raise internal_error("Unknown type ")
    if not any(image.type_name in family and type_name in family for family in TYPE_FAMILIES):
        raise OneError(ACTION, "Cannot change image type to an incompatible type for the current datastore.")
    if image.state not in (READY, USED, USED_PERS, DISABLED, LOCKED):
        raise OneError(ACTION, f"Cannot change type of image in state {STATE_NAMES[image.state]}.", oid)
    image.type = IMAGE_TYPES.index(type_name)
    call.pool("image").save(image)
    return oid


@rpc("one.image.persistent", Int("id"), Bool("persistent"))
def image_persistent(call, oid, persistent):
    image = managed(call, "image", oid)
    if image.state in (USED, CLONE, USED_PERS, LOCKED_USED, LOCKED_USED_PERS):
        change = "persistent" if persistent else "non-persistent"
        raise internal_error(f"Could not make image {change}: Image cannot be in state {STATE_NAMES[image.state]}.")
    image.persistent = int(persistent)
    call.pool("image").save(image)
    return oid


@rpc("one.image.enable", Int("id"), Bool("enable"))
def image_enable(call, oid, enable):
    image = managed(call, "image", oid)
    # ImageManager::enable_image: enabling leaves DISABLED or ERROR, disabling READY or ERROR.
    allowed = (DISABLED, ERROR, READY) if enable else (READY, ERROR, DISABLED)
    if image.state not in allowed:
        action = "enable" if enable else "disable"
        raise internal_error(f"Could not {action} image: Image cannot be in state {STATE_NAMES[image.state]}.")
    image.set_state(READY if enable else DISABLED)
    call.pool("image").save(image)
    return oid


@rpc("one.image.clone", Int("id"), Str("name"), Int("ds_id", -1))
def image_clone(call, oid, name, ds_id):
    pool = call.pool("image")
    source = pool.get(oid)
    auth.authorize(call.caller, source, auth.USE)
    auth.authorize_create(call.caller, "image")
    if source.state not in (READY, USED, CLONE):
        raise OneError(ACTION, f"Cannot clone image in state: {STATE_NAMES[source.state]}", oid)
    datastore = call.pool("datastore").get(source.datastore_id if ds_id == -1 else ds_id)
    auth.authorize(call.caller, datastore, auth.USE)
    if datastore.type != IMAGE_DS:
        raise allocate_failed("image", "Clone only supported for IMAGE_DS Datastores")
    _unique_name(call.emulator, name, call.caller)
    # The copy reads the source image's SOURCE as its PATH; its own SOURCE comes with the driver.
    template = source.template.copy()
    _default_dev_prefix(template, source.type_name)
    clone = Image(name, source.type, datastore, source.size, source.persistent, source.source, "",
                  source.format, source.fs, template, **_owner(call.caller))
    clone.transfer = "clone"
    clone.cloning_id = source.id
    pool.add(clone)
    source.cloning_ops += 1
    source.clones = sorted(set(source.clones) | {clone.id})
    if source.state == READY:
        source.set_state(CLONE if source.persistent else USED)
    pool.save(source)
    link_image(call.emulator, datastore, clone.id, True)
    schedule_transfer(call.emulator, clone.id)
    return clone.id


register_common_methods("one.image", "image")

