"""Datastores: oned's bootstrap datastores with the dummy drivers; one.datastore(pool).info."""
from . import auth
from .registry import Bool, Int, pool_type, rpc
from .store import PoolObject, escape
from .template import Template

IMAGE_DS, SYSTEM_DS, FILE_DS = 0, 1, 2
DATASTORE_LOCATION = "/var/lib/one//datastores"
DEFAULT_CLUSTER = 0
# What the dummy datastore driver's monitor reports (datastore_mad/remotes/dummy/monitor).
DUMMY_CAPACITY = {"total": 20480, "free": 20480, "used": 9720}
# Datastores read by everyone in their group: oned creates them with umask 137 (u=um, g=u).
BOOTSTRAP_PERMISSIONS = [1, 1, 0, 1, 0, 0, 0, 0, 0]

# The three datastores oned creates, after switching them to the dummy drivers
# (`one.datastore.update(id, 'TM_MAD="dummy"...', 1)`, as the recorded front-end did).
BOOTSTRAP = (
    (0, "system", SYSTEM_DS, "-", "dummy", [
        ("ALLOW_ORPHANS", "NO"), ("DISK_TYPE", "FILE"), ("DS_MIGRATE", "YES"),
        ("PERSISTENT_SNAPSHOTS", "YES"), ("RESTRICTED_DIRS", "/"), ("SAFE_DIRS", "/var/tmp"),
        ("SHARED", "YES"), ("TM_MAD", "dummy"), ("TYPE", "SYSTEM_DS")]),
    (1, "default", IMAGE_DS, "dummy", "dummy", [
        ("ALLOW_ORPHANS", "NO"), ("CLONE_TARGET", "SYSTEM"), ("DISK_TYPE", "FILE"),
        ("DS_MAD", "dummy"), ("LN_TARGET", "NONE"), ("PERSISTENT_SNAPSHOTS", "YES"),
        ("RESTRICTED_DIRS", "/"), ("SAFE_DIRS", "/var/tmp"), ("TM_MAD", "dummy"),
        ("TYPE", "IMAGE_DS")]),
    (2, "files", FILE_DS, "dummy", "dummy", [
        ("ALLOW_ORPHANS", "NO"), ("CLONE_TARGET", "SYSTEM"), ("DS_MAD", "dummy"),
        ("LN_TARGET", "NONE"), ("PERSISTENT_SNAPSHOTS", "YES"), ("RESTRICTED_DIRS", "/"),
        ("SAFE_DIRS", "/var/tmp"), ("TM_MAD", "dummy"), ("TYPE", "FILE_DS")]),
)


@pool_type("datastore", "datastore")
class Datastore(PoolObject):
    def __init__(self, name, ds_type, ds_mad, tm_mad, template):
        super().__init__(name=name, permissions=BOOTSTRAP_PERMISSIONS, template=Template(template))
        self.type = ds_type
        self.ds_mad = ds_mad
        self.tm_mad = tm_mad
        self.disk_type = 0
        self.state = 0
        self.clusters = [DEFAULT_CLUSTER]
        self.capacity = dict(DUMMY_CAPACITY)
        self.images = []

    @property
    def free_mb(self):
        return self.capacity["free"]

    def render(self):
        clusters = "".join(f"<ID>{cid}</ID>" for cid in self.clusters)
        images = "".join(f"<ID>{iid}</ID>" for iid in self.images)
        return (f"<DATASTORE>{self.owner_xml()}{self.lock_xml()}{self.permissions_xml()}"
                f"<DS_MAD>{escape(self.ds_mad)}</DS_MAD><TM_MAD>{escape(self.tm_mad)}</TM_MAD>"
                f"<BASE_PATH>{DATASTORE_LOCATION}/{self.id}</BASE_PATH>"
                f"<TYPE>{self.type}</TYPE><DISK_TYPE>{self.disk_type}</DISK_TYPE><STATE>{self.state}</STATE>"
                f"<CLUSTERS>{clusters}</CLUSTERS><TOTAL_MB>{self.capacity['total']}</TOTAL_MB>"
                f"<FREE_MB>{self.capacity['free']}</FREE_MB><USED_MB>{self.capacity['used']}</USED_MB>"
                f"<IMAGES>{images}</IMAGES>{self.template.to_xml()}</DATASTORE>")


def bootstrap_datastores(emulator):
    pool = emulator.pool("datastore")
    for oid, name, ds_type, ds_mad, tm_mad, template in BOOTSTRAP:
        pool.add(Datastore(name, ds_type, ds_mad, tm_mad, template), oid)


def link_image(emulator, datastore, image_id, linked):
    """Add or remove an image id in the datastore's IMAGES."""
    ids = set(datastore.images)
    if linked:
        ids.add(image_id)
    else:
        ids.discard(image_id)
    datastore.images = sorted(ids)
    emulator.pool("datastore").save(datastore)


@rpc("one.datastore.info", Int("id"), Bool("decrypt", False))
def datastore_info(call, oid, decrypt):
    datastore = call.pool("datastore").get(oid)
    auth.authorize(call.caller, datastore, auth.USE)
    return datastore.xml


@rpc("one.datastorepool.info")
def datastorepool_info(call):
    datastores = auth.page(auth.visible(call.caller, call.pool("datastore").values()))
    return auth.pool_xml("DATASTORE_POOL", datastores)
