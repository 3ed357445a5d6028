"""Objects in memory, persisted to SQLite, each with its XML ready.

Every pool keeps its objects in a dict (id order). An object's XML is rendered once and
kept in `obj.xml`; whoever changes an object calls `pool.save(obj)`, which re-renders the
XML and writes the object's state to SQLite. Writes are committed when the surrounding
`emulator.transaction()` ends, so a call is atomic on disk.

Lock discipline: all reads and writes of objects happen while holding `emulator.lock`
(one re-entrant lock). The dispatcher holds it for the whole handler; timers take it with
`emulator.transaction()`. HTTP parsing and encoding run outside the lock.
"""
import abc
import json
import sqlite3
import time

from .errors import not_found
from .template import Template


class Store:
    """SQLite file: one row per object (JSON state) and one id counter per pool."""

    def __init__(self, path):
        self.connection = sqlite3.connect(str(path), check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS objects (pool TEXT, oid INTEGER, state TEXT,"
            " PRIMARY KEY (pool, oid))")
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS sequences (pool TEXT PRIMARY KEY, next_id INTEGER)")
        self.connection.commit()
        self.written_pools = set()

    def states(self, pool):
        rows = self.connection.execute(
            "SELECT state FROM objects WHERE pool = ? ORDER BY oid", (pool,))
        return [json.loads(state) for (state,) in rows]

    def write(self, pool, oid, state):
        self.written_pools.add(pool)
        self.connection.execute(
            "INSERT OR REPLACE INTO objects (pool, oid, state) VALUES (?, ?, ?)",
            (pool, oid, json.dumps(state)))

    def delete(self, pool, oid):
        self.written_pools.add(pool)
        self.connection.execute("DELETE FROM objects WHERE pool = ? AND oid = ?", (pool, oid))

    def next_id(self, pool, first_id):
        row = self.connection.execute(
            "SELECT next_id FROM sequences WHERE pool = ?", (pool,)).fetchone()
        oid = max(row[0] if row else first_id, first_id)
        self.connection.execute(
            "INSERT OR REPLACE INTO sequences (pool, next_id) VALUES (?, ?)", (pool, oid + 1))
        return oid

    def commit(self):
        self.connection.commit()
        self.written_pools = set()

    def rollback(self):
        """Undo the uncommitted writes; returns the pools they touched."""
        self.connection.rollback()
        touched, self.written_pools = self.written_pools, set()
        return touched

    def close(self):
        self.connection.close()


# Permission bits in oned's order: owner, group, other x use, manage, admin.
PERMISSION_NAMES = ("OWNER_U", "OWNER_M", "OWNER_A", "GROUP_U", "GROUP_M", "GROUP_A",
                    "OTHER_U", "OTHER_M", "OTHER_A")
DEFAULT_UMASK = 0o177


def permissions_from_umask(umask=DEFAULT_UMASK):
    """oned's new-object permissions: 0777 & ~umask, as nine 0/1 bits."""
    mode = 0o777 & ~umask
    return [(mode >> shift) & 1 for shift in (8, 7, 6, 5, 4, 3, 2, 1, 0)]


class PoolObject(abc.ABC):
    """Base of every pooled object: ID, owner, group, name, permissions, lock, template.

    Subclasses implement `render()` (the object's XML) and may add attributes; every public
    attribute is persisted (JSON-able values; attributes named in `template_fields` hold
    Template objects). Class attributes `pool_name` and `object_name` are set by
    `registry.pool_type`.
    """

    pool_name = None
    object_name = None
    template_fields = ("template",)
    unique_names = False

    def __init__(self, name="", uid=0, gid=0, uname="oneadmin", gname="oneadmin",
                 permissions=None, template=None):
        self.id = -1
        self.name = name
        self.uid = uid
        self.gid = gid
        self.uname = uname
        self.gname = gname
        self.permissions = list(permissions or permissions_from_umask())
        self.lock = None
        self.template = template if template is not None else Template()
        self.xml = self.short_xml = ""

    @abc.abstractmethod
    def render(self):
        """The object's full XML document (what `one.<object>.info` returns)."""

    def render_short(self):
        """The object's entry in pool listings when it differs from `render()`."""
        return None

    def refresh_xml(self):
        self.xml = self.render()
        self.short_xml = self.render_short() or self.xml

    def to_state(self):
        state = {}
        for key, value in vars(self).items():
            if key in ("xml", "short_xml") or key.startswith("_"):
                continue
            state[key] = value.to_state() if key in self.template_fields else value
        return state

    @classmethod
    def from_state(cls, state):
        obj = cls.__new__(cls)
        for key, value in state.items():
            setattr(obj, key, Template.from_state(value) if key in cls.template_fields else value)
        obj.xml = obj.short_xml = ""
        return obj

    def owner_xml(self):
        """<ID><UID><GID><UNAME><GNAME><NAME>: the common head of most objects."""
        return (f"<ID>{self.id}</ID><UID>{self.uid}</UID><GID>{self.gid}</GID>"
                f"<UNAME>{escape(self.uname)}</UNAME><GNAME>{escape(self.gname)}</GNAME>"
                f"<NAME>{escape(self.name)}</NAME>")

    def permissions_xml(self):
        bits = "".join(f"<{name}>{bit}</{name}>" for name, bit in zip(PERMISSION_NAMES, self.permissions))
        return f"<PERMISSIONS>{bits}</PERMISSIONS>"

    def lock_xml(self):
        if not self.lock:
            return ""
        return (f"<LOCK><LOCKED>{self.lock['level']}</LOCKED><OWNER>{self.lock['owner']}</OWNER>"
                f"<TIME>{self.lock['time']}</TIME><REQ_ID>-1</REQ_ID></LOCK>")

    def set_lock(self, level, owner):
        self.lock = {"level": level, "owner": owner, "time": int(time.time())}


def escape(value):
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Pool:
    """The objects of one type, in id order, with id allocation and persistence."""

    def __init__(self, store, spec):
        self.store = store
        self.name = spec.name
        self.object_class = spec.object_class
        self.object_name = spec.object_name
        self.first_id = spec.first_id
        self.objects = {}
        self._newest_first_ids = None

    def load(self):
        self.objects = {}
        self._newest_first_ids = None
        for state in self.store.states(self.name):
            obj = self.object_class.from_state(state)
            self.objects[obj.id] = obj

    def render_all(self):
        """Render after loading every pool: some XML names objects of other pools."""
        for obj in self.objects.values():
            obj.refresh_xml()

    def find(self, oid):
        return self.objects.get(oid)

    def get(self, oid):
        """The object, or oned's NO_EXISTS error "Error getting <object> [<id>]."."""
        obj = self.objects.get(oid)
        if obj is None:
            raise not_found(self.object_name, oid)
        return obj

    def by_name(self, name, uid=None):
        for obj in self.objects.values():
            if obj.name == name and (uid is None or obj.uid == uid):
                return obj
        return None

    def add(self, obj, oid=None):
        """Give `obj` the next id (or `oid`) and save it."""
        obj.id = self.store.next_id(self.name, self.first_id) if oid is None else oid
        self.objects[obj.id] = obj
        self._newest_first_ids = None
        self.save(obj)
        return obj.id

    def save(self, obj):
        obj.refresh_xml()
        self.store.write(self.name, obj.id, obj.to_state())

    def drop(self, obj):
        self.objects.pop(obj.id, None)
        self._newest_first_ids = None
        self.store.delete(self.name, obj.id)

    def values(self):
        return list(self.objects.values())

    def newest_first(self):
        """The objects in descending id order, oned 7.0's listing order, lazily: a pool page
        reads no further than it needs, like oned's indexed LIMIT. The order is kept until
        an object is added or dropped."""
        if self._newest_first_ids is None:
            self._newest_first_ids = sorted(self.objects, reverse=True)
        return map(self.objects.__getitem__, self._newest_first_ids)

    def __len__(self):
        return len(self.objects)
