"""What a MachineCreate or MachineTemplate asks of contextualization and networking: the SSH
key of a credential (or the user's default key), cloud-init user data, and the networks of
its interfaces; checked in the VM's CONTEXT and NICs as oneadmin sees them."""
import base64

import pytest
from hypothesis import HealthCheck, given, settings, strategies

from app.one import parse
from app.one.documents import CREDENTIAL
from api_support import CIMI, public_network, terminate_all
from credential_keys import ED25519_KEY, RSA_KEY, credential_create, fresh_key

# The StratusLab user guide's web-server example (contextualization chapter, run-http.sh).
WEB_SERVER_SCRIPT = b"""#!/bin/bash -x

yum install -y httpd

cat > /var/www/html/test.txt <<EOF
SUCCESSFUL TEST
EOF

chkconfig httpd on

service httpd start
"""
WEB_SERVER_USER_DATA = base64.b64encode(WEB_SERVER_SCRIPT).decode()


def vm_template(backend, vm_id):
    """The VM's TEMPLATE (CONTEXT, NIC, ...) as oneadmin reads it."""
    element = parse.document(backend.gateway.call("vm.info", vm_id))
    return parse.template_dict(element.find("TEMPLATE"))


def id_of(href):
    return int(href.rsplit("/", 1)[1])


def demo_user(backend):
    users = parse.pool(backend.gateway.call("userpool.info"), parse.user)
    return next(user for user in users if user.name == backend.demo_name)


@pytest.fixture(scope="module")
def extra_networks(request, opennebula):
    """A second network ("lan", numbered after the default network); its id. OpenNebula's
    default ACL lets the users group use every network, so users see all of them."""
    lan = public_network(request, opennebula, "lan", "192.168.7.10", 20,
                         gateway="192.168.7.1", dns="192.168.7.1")
    return {"lan": lan}


@pytest.fixture
def network_href(collection_href):
    def href(network_id):
        return f"{collection_href('networks')}/{network_id}"
    return href


@pytest.fixture
def credential(cimi, collection_href, backend):
    """Create a credential through the API; deleted at the end of the test."""
    created = []

    def create(key=ED25519_KEY, **attributes):
        result = cimi.post(collection_href("credentials"), credential_create(key, **attributes))
        assert result.status == 201, result.document
        created.append(id_of(result.document["id"]))
        return result.document["id"]

    yield create
    existing = backend.owned_ids(backend.gateway.document_page(CREDENTIAL).items)
    for document_id in created:
        if document_id in existing:
            backend.gateway.document_delete(document_id)


def test_the_guides_web_server_with_a_credential(cimi, launched, machine_create, credential,
                                                 backend, wait_for_state):
    credential_href = credential(RSA_KEY)
    body = machine_create(name="web-server", credential={"href": credential_href},
                          userData=WEB_SERVER_USER_DATA)
    machine = launched(body).document
    context = vm_template(backend, id_of(machine["id"]))["CONTEXT"]
    assert context["SSH_PUBLIC_KEY"] == RSA_KEY
    assert context["USER_DATA"] == WEB_SERVER_USER_DATA
    assert base64.b64decode(context["USER_DATA"]) == WEB_SERVER_SCRIPT
    assert context["USERDATA_ENCODING"] == "base64"
    assert context["NETWORK"] == "YES"

    started = wait_for_state(machine["id"], "STARTED")
    (ip,) = started["ipAddresses"]
    assert context["ETH0_IP"] == ip
    interfaces = cimi.get(started["networkInterfaces"]["href"]).document
    (nic,) = interfaces["machineNetworkInterfaces"]
    assert nic["ipAddresses"] == [ip]
    assert nic["macAddress"] == context["ETH0_MAC"]
    network = cimi.get(nic["network"]["href"])
    assert network.status == 200 and network.document["state"] == "STARTED"


def test_user_data_with_line_breaks_is_stored_canonical(launched, machine_create, backend):
    wrapped = "\n".join(WEB_SERVER_USER_DATA[i:i + 60]
                        for i in range(0, len(WEB_SERVER_USER_DATA), 60))
    machine = launched(machine_create(userData=wrapped, initialState="STOPPED")).document
    context = vm_template(backend, id_of(machine["id"]))["CONTEXT"]
    assert context["USER_DATA"] == WEB_SERVER_USER_DATA


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=strategies.binary(max_size=2048))
def test_any_user_data_reaches_the_context_unchanged(cimi, collection_href, machine_create,
                                                     backend, data):
    encoded = base64.b64encode(data).decode()
    result = cimi.post(collection_href("machines"),
                       machine_create(userData=encoded, initialState="STOPPED"))
    assert result.status == 201, result.document
    vm_id = id_of(result.document["id"])
    try:
        context = vm_template(backend, vm_id)["CONTEXT"]
        if data:
            assert base64.b64decode(context["USER_DATA"]) == data
        else:
            assert "USER_DATA" not in context
    finally:
        terminate_all(backend.gateway, [vm_id])


def test_a_key_by_value(launched, machine_create, backend):
    machine = launched(machine_create(credential={"publicKey": ED25519_KEY},
                                      initialState="STOPPED")).document
    context = vm_template(backend, id_of(machine["id"]))["CONTEXT"]
    assert context["SSH_PUBLIC_KEY"] == ED25519_KEY


def test_without_a_credential_the_users_default_key_is_used(cimi, launched, machine_create,
                                                            credential, backend):
    assert "SSH_PUBLIC_KEY" not in demo_user(backend).template
    without = launched(machine_create(initialState="STOPPED")).document
    context = vm_template(backend, id_of(without["id"]))["CONTEXT"]
    assert context.get("SSH_PUBLIC_KEY", "") == ""

    key = fresh_key("default@laptop")
    href = credential(key, properties={"default": "true"})
    try:
        machine = launched(machine_create(initialState="STOPPED")).document
        assert vm_template(backend, id_of(machine["id"]))["CONTEXT"]["SSH_PUBLIC_KEY"] == key
    finally:
        assert cimi.delete(href).status == 200
    assert "SSH_PUBLIC_KEY" not in demo_user(backend).template


def test_networks_chosen_for_the_interfaces(cimi, launched, machine_create, collection_href,
                                            network_href, extra_networks, backend,
                                            wait_for_state):
    lan, default = network_href(extra_networks["lan"]), network_href(0)
    body = machine_create(networkInterfaces=[{"network": {"href": lan}},
                                             {"network": {"href": default}}])
    machine = wait_for_state(launched(body).document["id"], "STARTED")
    nics = vm_template(backend, id_of(machine["id"]))["NIC"]
    assert [nic["NETWORK_ID"] for nic in nics] == [str(extra_networks["lan"]), "0"]
    interfaces = cimi.get(machine["networkInterfaces"]["href"]).document
    shown = [(nic["network"]["href"], nic["ipAddresses"][0], nic["macAddress"])
             for nic in interfaces["machineNetworkInterfaces"]]
    assert shown == [(lan, nics[0]["IP"], nics[0]["MAC"]),
                     (default, nics[1]["IP"], nics[1]["MAC"])]
    assert machine["ipAddresses"] == [nics[0]["IP"], nics[1]["IP"]]
    assert nics[0]["IP"].startswith("192.168.7.")

    addresses = cimi.get(collection_href("addresses")).document["addresses"]
    held = {address["ip"]: address for address in addresses
            if address.get("resource", {}).get("href") == machine["id"]}
    assert set(held) == {nics[0]["IP"], nics[1]["IP"]}
    lease = held[nics[0]["IP"]]
    assert lease["network"]["href"] == lan
    assert lease["macAddress"] == nics[0]["MAC"]
    assert (lease["defaultGateway"], lease["mask"]) == ("192.168.7.1", "255.255.255.0")
    assert cimi.get(lease["id"]).document == lease

    network = cimi.get(lan).document
    per_network = cimi.get(network["addresses"]["href"]).document["addresses"]
    assert lease in per_network
    assert all(address["network"]["href"] == lan for address in per_network)


def test_an_empty_list_of_interfaces_means_the_default_network(launched, machine_create,
                                                               backend):
    machine = launched(machine_create(networkInterfaces=[], initialState="STOPPED")).document
    template = vm_template(backend, id_of(machine["id"]))
    assert template["NIC"]["NETWORK_ID"] == "0"
    assert template["CONTEXT"]["NETWORK"] == "YES"


def test_networks_list_what_the_user_may_use(cimi, collection_href, network_href,
                                             extra_networks):
    listed = cimi.get(collection_href("networks")).document
    assert listed["resourceURI"] == CIMI + "NetworkCollection"
    names = {network["name"]: network for network in listed["networks"]}
    assert {"private", "lan"} <= set(names)
    assert names["lan"]["state"] == "STARTED"
    assert names["lan"]["addresses"]["href"] == names["lan"]["id"] + "/addresses"
    assert "operations" not in listed                     # read-only
    assert cimi.get(names["lan"]["id"]).document == names["lan"]
    unknown = network_href(987654)
    assert cimi.get(unknown).status == 404
    assert cimi.get(unknown + "/addresses").status == 404


@pytest.mark.parametrize("suffix", ["0/10.0.0.999", "0/not-an-ip", "0/10.0.0.254",
                                    "999/10.0.0.2"])
def test_unknown_addresses_are_404(cimi, collection_href, suffix):
    assert cimi.get(f"{collection_href('addresses')}/{suffix}").status == 404


def test_a_machine_template_carries_key_user_data_and_networks(cimi, collection_href,
                                                               image_href, credential,
                                                               network_href, extra_networks,
                                                               backend, launched):
    credential_href = credential(RSA_KEY)
    lan = network_href(extra_networks["lan"])
    body = {"resourceURI": CIMI + "MachineTemplate", "name": "web-server-template",
            "machineImage": {"href": image_href}, "credential": {"href": credential_href},
            "userData": WEB_SERVER_USER_DATA, "networkInterfaces": [{"network": {"href": lan}}],
            "initialState": "STOPPED"}
    created = cimi.post(collection_href("machineTemplates"), body)
    assert created.status == 201, created.document
    href = created.document["id"]
    try:
        template = cimi.get(href).document
        assert template["credential"] == {"href": credential_href}
        assert template["userData"] == WEB_SERVER_USER_DATA
        assert template["networkInterfaces"] == [{"network": {"href": lan}}]
        expanded = cimi.get(href, params={"$expand": "credential"}).document
        assert expanded["credential"]["publicKey"] == RSA_KEY

        machine = launched({"resourceURI": CIMI + "MachineCreate",
                            "machineTemplate": {"href": href}}).document
        vm = vm_template(backend, id_of(machine["id"]))
        assert vm["CONTEXT"]["SSH_PUBLIC_KEY"] == RSA_KEY
        assert vm["CONTEXT"]["USER_DATA"] == WEB_SERVER_USER_DATA
        assert vm["NIC"]["NETWORK_ID"] == str(extra_networks["lan"])

        other_data = base64.b64encode(b"#cloud-config\n").decode()
        overridden = launched({"resourceURI": CIMI + "MachineCreate", "machineTemplate": {
            "href": href, "userData": other_data, "credential": {"publicKey": ED25519_KEY},
            "networkInterfaces": [{"network": {"href": network_href(0)}}]}}).document
        vm = vm_template(backend, id_of(overridden["id"]))
        assert vm["CONTEXT"]["SSH_PUBLIC_KEY"] == ED25519_KEY
        assert vm["CONTEXT"]["USER_DATA"] == other_data
        assert vm["CONTEXT"]["NETWORK"] == "YES"
        assert vm["NIC"]["NETWORK_ID"] == "0"
    finally:
        assert cimi.delete(href).status == 200
