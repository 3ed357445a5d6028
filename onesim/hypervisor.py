"""What the emulated hypervisor driver (oned.conf's VM_MAD "dummy") supports.

oned reads two capabilities of a VM_MAD that change what VMs may do: SUPPORT_SHAREABLE
(a VM with a shareable disk can be deployed; otherwise the deploy the scheduler plans fails
and the VM stays PENDING with the failure in USER_TEMPLATE/ERROR) and KEEP_SNAPSHOTS
(system snapshots survive poweroff, undeploy, stop, suspend and terminate; otherwise they
are dropped then). The shared oned 7.0.2 turns both on, so they default to on.
"""
from dataclasses import dataclass

DRIVER_NAME = "dummy"


def _yes_no(flag):
    return "yes" if flag else "no"


@dataclass(frozen=True)
class Hypervisor:
    support_shareable: bool = True
    keep_snapshots: bool = True

    def vm_mad_xml(self):
        """The dummy VM_MAD of one.system.config (attributes sorted, as oned writes them)."""
        return ("<VM_MAD><EXECUTABLE><![CDATA[one_vmm_dummy]]></EXECUTABLE>"
                f"<KEEP_SNAPSHOTS><![CDATA[{_yes_no(self.keep_snapshots)}]]></KEEP_SNAPSHOTS>"
                f"<NAME><![CDATA[{DRIVER_NAME}]]></NAME><SUNSTONE_NAME><![CDATA[Testing]]></SUNSTONE_NAME>"
                f"<SUPPORT_SHAREABLE><![CDATA[{_yes_no(self.support_shareable)}]]></SUPPORT_SHAREABLE>"
                "<TYPE><![CDATA[xml]]></TYPE></VM_MAD>")

    def command_line(self):
        """The `python -m onesim` options giving these capabilities."""
        return ([] if self.support_shareable else ["--no-shareable-disks"]) + \
               ([] if self.keep_snapshots else ["--no-keep-snapshots"])

    def shareable_refusal(self):
        """The failure of deploying a VM with a shareable disk (VirtualMachine::check_shareable_disks)."""
        return f"VM has shareable disk, but vmm driver: '{DRIVER_NAME}' doesn't support shareable disks"
