"""The SSH key and cloud-init context of `cimi run-instance` reaching the machine's
OpenNebula CONTEXT through the server (read back from onesim as the administrator)."""
import base64
import re
import xml.etree.ElementTree as ElementTree
import xmlrpc.client

from cimi_client.client import short_id
from cli_support import ed25519_key

QUIET_LINE = re.compile(r"^(\d+), (\d+\.\d+\.\d+\.\d+)$")
SCRIPT = "#!/bin/sh\necho ready > /tmp/ready\n"


def vm_context(onesim_process, machine_id):
    one = xmlrpc.client.ServerProxy(onesim_process.endpoint)
    answer = one.one.vm.info(onesim_process.admin_session, int(machine_id))
    assert answer[0], answer
    context = ElementTree.fromstring(answer[1]).find("TEMPLATE/CONTEXT")
    return {child.tag: child.text for child in context}


def launch(cimi, *arguments):
    run = cimi("run-instance", "-q", *arguments, "ttylinux")
    assert run.returncode == 0, run.stderr
    return QUIET_LINE.match(run.stdout.strip()).group(1)


def test_the_key_file_becomes_the_machines_key_through_one_credential(cimi, cloud, home,
                                                                       onesim_process):
    key = ed25519_key(7, "me@laptop")
    (home / "me.pub").write_text(key + "\n")
    machines = [launch(cimi, "--key", str(home / "me.pub")) for _ in range(2)]
    for machine_id in machines:
        assert vm_context(onesim_process, machine_id)["SSH_PUBLIC_KEY"] == key
    holding = [credential for credential in cloud.client().members("credentials")
               if credential["publicKey"] == key]
    assert len(holding) == 1
    cimi("kill-instance", *machines)


def test_the_default_key_file_is_used_when_present(cimi, home, onesim_process):
    key = ed25519_key(9, "default@home")
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa.pub").write_text(key + "\n")
    machine_id = launch(cimi)
    assert vm_context(onesim_process, machine_id)["SSH_PUBLIC_KEY"] == key
    cimi("kill-instance", machine_id)


def test_cloud_init_user_data_and_keys_reach_the_context(cimi, home, onesim_process):
    key = ed25519_key(11, "init@host")
    (home / "init.pub").write_text(key)
    (home / "run.sh").write_text(SCRIPT)
    machine_id = launch(cimi, "--cloud-init", "ssh,init.pub#none,run.sh")
    context = vm_context(onesim_process, machine_id)
    assert base64.b64decode(context["USER_DATA"]).decode() == SCRIPT
    assert context["USERDATA_ENCODING"] == "base64"
    assert context["SSH_PUBLIC_KEY"] == key
    cimi("kill-instance", machine_id)


def test_a_malformed_key_is_the_servers_error(cimi, home, cloud):
    (home / "bad.pub").write_text("ssh-rsa not-base64!\n")
    before = {short_id(machine["id"]) for machine in cloud.client().members("machines")}
    result = cimi("run-instance", "--key", str(home / "bad.pub"), "ttylinux")
    assert result.returncode == 1
    assert result.stderr.startswith("[ERROR] Service error: ")
    # No new machine; one an earlier test killed may have finished terminating meanwhile.
    assert {short_id(machine["id"]) for machine in cloud.client().members("machines")} <= before
