"""The StratusLab user guide's contextualization chapter over HTTP against gunicorn and onesim:
register an SSH key as a Credential, launch the web-server example with it as cloud-init user
data, read the machine's address from the machine, its network interface and the Addresses
collection, and find the key and the script in the VM's CONTEXT as oneadmin sees it. A second
user can neither see nor use the credential; bad keys, user data and networks are 400s."""
import base64
import xmlrpc.client

import pytest

from app.one import parse
from app.one.documents import CREDENTIAL
from http_cimi import HttpCimiClient
from test_stratuslab_workflow import CIMI, wait_for

KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOEfeIFVvyetZWT/S9NW+1ZqbrqU1u49xMbluDeqnY33 "
       "e2e@workstation")
RUN_HTTP = b"""#!/bin/bash -x

yum install -y httpd

cat > /var/www/html/test.txt <<EOF
SUCCESSFUL TEST
EOF

chkconfig httpd on

service httpd start
"""
MINE = -3


def one_call(opennebula, method, *arguments, session=None):
    """One XML-RPC call as oneadmin (or `session`); the value of a successful answer."""
    answer = getattr(xmlrpc.client.ServerProxy(opennebula.endpoint), method)(
        session or opennebula.admin_session, *arguments)
    assert answer[0], answer[1]
    return answer[1]


def own_pool(opennebula, session, pool, *arguments):
    """The pool `session`'s user owns (the real lane's other workers change the rest)."""
    return one_call(opennebula, f"one.{pool}", MINE, -1, -1, *arguments, session=session)


@pytest.fixture(scope="session")
def second_user(installed):
    return installed.user_session("bob")


def test_web_server_with_a_key_and_user_data(http_cimi, server_url, installed, fmt,
                                             second_user):
    status, entry_point, _ = http_cimi.get(server_url)
    assert status == 200
    href_of = {key: value["href"] for key, value in entry_point.items()
               if isinstance(value, dict)}

    status, credential, headers = http_cimi.post(href_of["credentials"], {
        "resourceURI": CIMI + "CredentialCreate", "name": "workstation",
        "credentialTemplate": {"publicKey": KEY}})
    assert status == 201, credential
    credential_href = headers["Location"]
    assert credential["publicKey"] == KEY

    status, images, _ = http_cimi.get(href_of["machineImages"],
                                      params={"$filter": "name='ttylinux'"})
    (image,) = images["machineImages"]
    user_data = base64.b64encode(RUN_HTTP).decode()
    status, machine, headers = http_cimi.post(href_of["machines"], {
        "resourceURI": CIMI + "MachineCreate", "name": "web-server",
        "machineTemplate": {"machineImage": {"href": image["id"]},
                            "credential": {"href": credential_href},
                            "userData": user_data}})
    assert status == 201, machine
    machine_href = headers["Location"]
    try:
        machine = wait_for(http_cimi, machine_href, "STARTED")
        (ip,) = machine["ipAddresses"]

        status, interfaces, _ = http_cimi.get(machine["networkInterfaces"]["href"])
        (interface,) = interfaces["machineNetworkInterfaces"]
        assert interface["ipAddresses"] == [ip]
        status, network, _ = http_cimi.get(interface["network"]["href"])
        assert status == 200 and network["state"] == "STARTED"
        assert network["id"].startswith(href_of["networks"])

        status, addresses, _ = http_cimi.get(href_of["addresses"])
        (lease,) = [address for address in addresses["addresses"]
                    if address.get("resource", {}).get("href") == machine_href]
        assert (lease["ip"], lease["macAddress"]) == (ip, interface["macAddress"])
        assert lease["network"]["href"] == network["id"]

        vm_id = int(machine_href.rsplit("/", 1)[1])
        vm = parse.document(one_call(installed, "one.vm.info", vm_id))
        context = parse.template_dict(vm.find("TEMPLATE"))["CONTEXT"]
        assert context["SSH_PUBLIC_KEY"] == KEY
        assert context["USER_DATA"] == user_data
        assert base64.b64decode(context["USER_DATA"]) == RUN_HTTP
        assert context["USERDATA_ENCODING"] == "base64"
        assert (context["NETWORK"], context["ETH0_IP"]) == ("YES", ip)

        other = HttpCimiClient(fmt, second_user)
        assert other.get(credential_href)[0] == 404
        status, listed, _ = other.get(href_of["credentials"])
        assert credential_href not in [member["id"] for member in listed.get("credentials", [])]
        status, error, _ = other.post(href_of["machines"], {
            "resourceURI": CIMI + "MachineCreate",
            "machineTemplate": {"machineImage": {"href": image["id"]},
                                "credential": {"href": credential_href}}})
        assert status == 400 and "credential" in error["message"]
    finally:
        assert http_cimi.delete(machine_href)[0] == 202
        wait_for(http_cimi, machine_href, 404)
        assert http_cimi.delete(credential_href)[0] == 200


@pytest.mark.parametrize("template, attribute", [
    ({"credential": {"publicKey": "ssh-ed25519 AAAA"}}, "machineTemplate.credential.publicKey"),
    ({"userData": "#!/bin/sh not encoded"}, "machineTemplate.userData"),
    ({"networkInterfaces": [{"network": {"href": "networks/987654"}}]},
     "machineTemplate.networkInterfaces[0].network.href"),
])
def test_bad_context_is_refused(http_cimi, server_url, installed, template, attribute):
    status, entry_point, _ = http_cimi.get(server_url)
    status, images, _ = http_cimi.get(entry_point["machineImages"]["href"],
                                      params={"$filter": "name='ttylinux'"})
    (image,) = images["machineImages"]
    vms_before = own_pool(installed, installed.demo_session, "vmpool.info", -1)
    status, error, _ = http_cimi.post(entry_point["machines"]["href"], {
        "resourceURI": CIMI + "MachineCreate",
        "machineTemplate": {"machineImage": {"href": image["id"]}, **template}})
    assert status == 400
    assert attribute in error["message"]
    assert own_pool(installed, installed.demo_session, "vmpool.info", -1) == vms_before


def test_a_malformed_key_is_not_stored(http_cimi, server_url, installed):
    status, entry_point, _ = http_cimi.get(server_url)
    documents_before = own_pool(installed, installed.demo_session, "documentpool.info", CREDENTIAL)
    status, error, _ = http_cimi.post(entry_point["credentials"]["href"], {
        "resourceURI": CIMI + "CredentialCreate",
        "credentialTemplate": {"publicKey": KEY.replace("AAAAC3", "AAAAB3")}})
    assert status == 400
    assert "credentialTemplate.publicKey" in error["message"]
    assert own_pool(installed, installed.demo_session, "documentpool.info",
                    CREDENTIAL) == documents_before
