"""MachineTemplates: OpenNebula VM templates made from a configuration and an image."""
import pytest

from api_support import CIMI

KIB_PER_MB = 1024


def template_body(image_href, name="web-template", **extra):
    return {"resourceURI": CIMI + "MachineTemplate", "name": name,
            "machineImage": {"href": image_href}, **extra}


@pytest.fixture
def own_template(cimi, collection_href, backend):
    created = []

    def create(body):
        result = cimi.post(collection_href("machineTemplates"), body)
        assert result.status == 201, result.document
        created.append(int(result.document["id"].rsplit("/", 1)[1]))
        return result

    yield create
    for template_id in created:
        if template_id in backend.objects()["templates"]:
            backend.gateway.template_delete(template_id)


def test_create_read_update_delete(cimi, own_template, image_href, configuration_href):
    body = template_body(image_href, description="web tier", properties={"tier": "web"},
                         machineConfig={"href": configuration_href("c1.medium")},
                         initialState="STOPPED")
    created = own_template(body)
    href = created.document["id"]
    assert created.headers["Location"] == href
    template = cimi.get(href).document
    assert template["name"] == "web-template"
    assert template["description"] == "web tier"
    assert template["properties"] == {"tier": "web"}
    assert template["machineImage"] == {"href": image_href}
    assert template["machineConfig"]["href"] == configuration_href("c1.medium")
    assert (template["machineConfig"]["cpu"], template["machineConfig"]["memory"]) == (
        1, 256 * KIB_PER_MB)
    assert template["initialState"] == "STOPPED"

    updated = cimi.put(href, template_body(image_href, name="renamed",
                                           machineConfig={"href": configuration_href("m1.large")}))
    assert updated.status == 200
    assert updated.document["name"] == "renamed"
    assert updated.document["machineConfig"]["cpu"] == 2
    assert updated.document["initialState"] == "STARTED"
    assert "description" not in updated.document

    assert cimi.delete(href).status == 200
    assert cimi.get(href).status == 404


def test_listed(cimi, own_template, image_href, collection_href):
    href = own_template(template_body(image_href)).document["id"]
    result = cimi.get(collection_href("machineTemplates"))
    assert result.status == 200
    assert result.document["resourceURI"] == CIMI + "MachineTemplateCollection"
    assert href in {member["id"] for member in result.document["machineTemplates"]}


def test_launch_a_machine_from_a_template(cimi, own_template, launched, image_href,
                                          configuration_href, wait_for_state):
    template = own_template(template_body(
        image_href, properties={"from": "template"},
        machineConfig={"href": configuration_href("m1.xlarge")})).document
    body = {"resourceURI": CIMI + "MachineCreate", "name": "from-template",
            "properties": {"own": "yes"}, "machineTemplate": {"href": template["id"]}}
    machine = launched(body).document
    assert machine["name"] == "from-template"
    assert (machine["cpu"], machine["memory"]) == (2, 1024 * KIB_PER_MB)
    assert machine["machineConfig"]["href"] == configuration_href("m1.xlarge")
    assert machine["machineImage"]["href"] == image_href
    assert machine["properties"] == {"own": "yes"}
    wait_for_state(machine["id"], "STARTED")


def test_initial_state_next_to_the_template_href(cimi, own_template, launched, image_href):
    template = own_template(template_body(image_href)).document
    body = {"resourceURI": CIMI + "MachineCreate",
            "machineTemplate": {"href": template["id"], "initialState": "STOPPED"}}
    assert launched(body).document["state"] == "STOPPED"


def test_an_unknown_template_leaves_nothing_behind(cimi, collection_href, unchanged_backend):
    body = {"resourceURI": CIMI + "MachineCreate",
            "machineTemplate": {"href": collection_href("machineTemplates") + "/9999"}}
    result = cimi.post(collection_href("machines"), body)
    assert result.status == 400
    assert "machineTemplate.href" in result.document["message"]


def test_a_template_needs_an_image(cimi, collection_href, unchanged_backend):
    body = {"resourceURI": CIMI + "MachineTemplate", "name": "no-image"}
    result = cimi.post(collection_href("machineTemplates"), body)
    assert result.status == 400
    assert "machineImage" in result.document["message"]


def test_a_template_that_fails_halfway_is_removed(cimi, collection_href, image_href,
                                                  onesim_server, unchanged_backend):
    onesim_server.fail_next("one.template.info")
    result = cimi.post(collection_href("machineTemplates"), template_body(image_href))
    assert result.status == 502


def test_templates_of_others_are_offered_for_use_only(cimi, collection_href, image_href, backend):
    template_id = backend.gateway.template_allocate({"NAME": "admin-public", "CPU": 1,
                                                     "MEMORY": 64, "DISK": {"IMAGE_ID": 0}})
    try:
        # Other users may use it: owner, group and other bits (use, manage, admin); -1 keeps.
        backend.gateway.call("template.chmod", template_id, -1, -1, -1, -1, -1, -1, 1, -1, -1)
        href = f"{collection_href('machineTemplates')}/{template_id}"
        template = cimi.get(href).document
        assert template["machineImage"]["href"] == image_href
        assert template["machineConfig"] == {"cpu": 1, "memory": 64 * KIB_PER_MB}
        assert "operations" not in template
        assert cimi.delete(href).status == 403
    finally:
        backend.gateway.template_delete(template_id)
