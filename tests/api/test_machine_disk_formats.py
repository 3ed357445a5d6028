"""A MachineDisk's format from the DISK oned keeps: a real oned 7.0.2 writes FORMAT=raw (and
DRIVER=raw) into swap and file-system disks once it deploys the VM, as this DISK 1 and 2 of a
running VM show; before that they carry no FORMAT at all."""
import pytest

from app.one.records import VmDisk
from app.services.machine_disks import _format


@pytest.mark.parametrize("disk, shown", [
    (VmDisk(disk_id=1, size_mb=1024, type="swap", format="raw"), "swap"),
    (VmDisk(disk_id=1, size_mb=1024, type="swap"), "swap"),
    (VmDisk(disk_id=2, size_mb=2048, type="fs", format="raw", fs="ext4"), "ext4"),
    (VmDisk(disk_id=3, size_mb=2048, type="fs", format="raw"), "raw"),
    (VmDisk(disk_id=0, size_mb=40, image_id=0, type="FILE", format="qcow2"), "qcow2"),
])
def test_swap_shows_as_swap_and_file_systems_by_name(disk, shown):
    assert _format(disk) == shown
