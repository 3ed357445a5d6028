"""MachineDisks: `<base>/machines/<id>/disks` and `<base>/machines/<id>/disks/<disk id>`."""
from flask_restx import Namespace

from app.cimi import crud
from app.services import links, machine_disks

namespace = Namespace("machineDisks", description="Disks of a machine (read-only)",
                      path="/" + links.MACHINES)

crud.part_routes(namespace, machine_disks.SEGMENT, machine_disks.TYPE_NAME,
                 machine_disks.list_disks, machine_disks.get_disk)
