"""What OpenNebula refuses or cannot store, over the API in JSON and XML: one name rule for
every resource that has a name (create and rename), trailing white space trimmed as oned
does, and values oned cannot keep (`]]>`, carriage returns, characters outside the BMP)
stored losslessly. Everything is refused before any OpenNebula call (`unchanged_backend`),
so the same answers come from the emulator and from a real oned.
"""
import re
import time
from types import SimpleNamespace

import pytest

from api_support import CIMI, terminate_all
from app.one.storable import FORBIDDEN_NAME_CHARACTERS, is_valid_name
from app.services.machine_capture import default_name
from credential_keys import ED25519_KEY, credential_create
from volume_support import MIB_KIB, volume_create

# Values oned cannot store as they are; the server must keep them all the same.
AWKWARD = "web ]]> <![CDATA[ 50% %cimi% \U0001F680 \U0001F600 é a\r\nb\rc"
UNKEPT_IN_XML = "\v\f"     # XML 1.0 cannot carry them at all: JSON bodies only

ONE_TWENTY_EIGHT_BYTES = "é" * 64


def _unique(prefix):
    return f"{prefix}-{time.monotonic_ns()}"


class Kind:
    """How to create, rename and clean up one resource type."""

    def __init__(self, collection, type_name, create, renamed=None, backed_by=None):
        self.collection = collection
        self.type_name = type_name
        self.create = create              # (hrefs, name, **common) -> body
        self.renamed = renamed            # (created document, name) -> PUT body, if any
        self.backed_by = backed_by        # "vm" when a DELETE only starts a termination


def _machine(hrefs, name, **common):
    return {"resourceURI": CIMI + "MachineCreate", "name": name, **common,
            "machineTemplate": {"machineImage": {"href": hrefs["image"]}}}


def _machine_template(hrefs, name, **common):
    return {"resourceURI": CIMI + "MachineTemplate", "name": name, **common,
            "machineImage": {"href": hrefs["image"]}}


def _machine_image(hrefs, name, **common):
    return {"resourceURI": CIMI + "MachineImage", "name": name, **common,
            "imageLocation": "https://images.example.org/tiny.qcow2"}


def _machine_configuration(hrefs, name, **common):
    return {"resourceURI": CIMI + "MachineConfiguration", "name": name, "cpu": 1,
            "memory": 65536, **common}


def _volume(hrefs, name, **common):
    return volume_create(name, MIB_KIB, **common)


def _volume_configuration(hrefs, name, **common):
    return {"resourceURI": CIMI + "VolumeConfiguration", "name": name, "capacity": MIB_KIB,
            **common}


def _volume_template(hrefs, name, **common):
    return {"resourceURI": CIMI + "VolumeTemplate", "name": name, **common,
            "volumeConfig": {"capacity": MIB_KIB}}


def _credential(hrefs, name, **common):
    return credential_create(ED25519_KEY, name=name, **common)


def _volume_image(hrefs, name, **common):
    return {"resourceURI": CIMI + "VolumeImage", "name": name, **common,
            "volume": {"href": hrefs["volume"]}}


def _name_only(type_name):
    return lambda document, name: {"resourceURI": CIMI + type_name, "name": name}


def _whole(create, type_name):
    """A PUT body for resources replaced whole: the creation body with the new name."""
    def body(document, name):
        hrefs = {"image": document.get("machineImage", {}).get("href")}
        return {**create(hrefs, name), "resourceURI": CIMI + type_name}
    return body


KINDS = {
    "machines": Kind("/cimi/machines", "Machine", _machine, _name_only("Machine"), "vm"),
    "machineTemplates": Kind("/cimi/machineTemplates", "MachineTemplate", _machine_template,
                             _whole(_machine_template, "MachineTemplate")),
    "machineImages": Kind("/cimi/machineImages", "MachineImage", _machine_image,
                          _name_only("MachineImage")),
    "machineConfigs": Kind("/cimi/machineConfigs", "MachineConfiguration",
                           _machine_configuration,
                           _whole(_machine_configuration, "MachineConfiguration")),
    "volumes": Kind("/cimi/volumes", "Volume", _volume, _name_only("Volume")),
    "volumeConfigs": Kind("/cimi/volumeConfigs", "VolumeConfiguration", _volume_configuration,
                          _whole(_volume_configuration, "VolumeConfiguration")),
    "volumeTemplates": Kind("/cimi/volumeTemplates", "VolumeTemplate", _volume_template,
                            _whole(_volume_template, "VolumeTemplate")),
    "credentials": Kind("/cimi/credentials", "Credential", _credential,
                        _name_only("Credential")),
    "volumeImages": Kind("/cimi/volumeImages", "VolumeImage", _volume_image),
}
RENAMABLE = [kind for kind, spec in KINDS.items() if spec.renamed]
BODY_KEYS = {"machines": "machines", "machineTemplates": "machineTemplates",
             "machineImages": "machineImages", "machineConfigs": "machineConfigurations",
             "volumes": "volumes", "volumeConfigs": "volumeConfigurations",
             "volumeTemplates": "volumeTemplates", "credentials": "credentials",
             "volumeImages": "volumeImages"}


@pytest.fixture
def hrefs(image_href):
    # A volume image's source is checked after its name: a name refusal needs no volume.
    return {"image": image_href, "volume": "/cimi/volumes/0"}


IMAGE_KINDS = ("machineImages", "volumes", "volumeImages")


@pytest.fixture
def created(cimi, hrefs, backend, wait_for_state):
    """Create resources through the API; each is deleted (machines terminated) at the end."""
    made = []

    def create(kind, name, **common):
        spec = KINDS[kind]
        result = cimi.post(spec.collection, spec.create(hrefs, name, **common))
        assert result.status == 201, result.document
        made.append((kind, result.headers["Location"]))
        return cimi.get(result.headers["Location"]).document, result.document

    yield create
    vms = [int(href.rsplit("/", 1)[1]) for kind, href in made if KINDS[kind].backed_by == "vm"]
    terminate_all(backend.gateway, vms)
    for kind, href in reversed(made):
        if KINDS[kind].backed_by != "vm":
            if kind in IMAGE_KINDS:
                # oned deletes an image only once its copy is done, and in the background:
                # the name stays taken until it is gone.
                wait_for_state(href, "AVAILABLE")
                cimi.delete(href)
                wait_for_state(href, 404)
            else:
                cimi.delete(href)


def _error_message(result):
    assert result.status == 400, result.document
    return result.document["message"]


# --- the name rule, on create -------------------------------------------------------------

@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("char", list(FORBIDDEN_NAME_CHARACTERS))
def test_each_forbidden_character_is_refused_on_create(cimi, fmt, hrefs, unchanged_backend,
                                                       kind, char):
    if fmt == "xml" and char in UNKEPT_IN_XML:
        pytest.skip("XML cannot carry this character")
    spec = KINDS[kind]
    result = cimi.post(spec.collection, spec.create(hrefs, f"web{char}1"))
    message = _error_message(result)
    assert "& | : \\ \" ; / ' # { } $ < >" in message
    if char == "\r" and fmt == "xml":
        return    # an XML parser reads a carriage return as a newline
    shown = {"\t": "tab", "\n": "newline", "\v": "vertical tab", "\f": "form feed",
             "\r": "carriage return"}.get(char, repr(char))
    assert f"must not contain {shown}" in message


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("name, shown", [
    ("a" * 129, "129"), ("é" * 65, "130"), ("日本" * 22, "132"),
    ("rocket \U0001F680", "U+1F680"), ("   ", "empty")])
def test_names_oned_cannot_take_are_refused_on_create(cimi, hrefs, unchanged_backend, kind,
                                                      name, shown):
    spec = KINDS[kind]
    assert shown in _error_message(cimi.post(spec.collection, spec.create(hrefs, name)))


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind != "volumeImages"])
def test_128_bytes_of_multibyte_characters_are_a_name(created, kind):
    got, answered = created(kind, ONE_TWENTY_EIGHT_BYTES)
    assert answered["name"] == got["name"] == ONE_TWENTY_EIGHT_BYTES


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind != "volumeImages"])
def test_trailing_white_space_is_trimmed_on_create(cimi, created, kind):
    name = _unique("  trimmed")
    got, answered = created(kind, name + " \t ")
    assert answered["name"] == got["name"] == name
    listed = cimi.get(KINDS[kind].collection, params={"$filter": f"name='{name}'"})
    assert [member["name"] for member in listed.document[BODY_KEYS[kind]]] == [name]


# --- the name rule, on rename by PUT ------------------------------------------------------

@pytest.mark.parametrize("kind", RENAMABLE)
def test_forbidden_names_are_refused_on_rename(cimi, created, kind):
    spec = KINDS[kind]
    before, _ = created(kind, _unique("keep"))
    for name, shown in (("a:b", "':'"), ("a/b", "'/'"), ("x" * 129, "129"),
                        ("é" * 65, "130"), (" \t", "empty")):
        result = cimi.put(before["id"], spec.renamed(before, name))
        assert shown in _error_message(result)
    assert cimi.get(before["id"]).document["name"] == before["name"]


@pytest.mark.parametrize("kind", RENAMABLE)
def test_a_rename_trims_trailing_white_space(cimi, created, kind):
    spec = KINDS[kind]
    before, _ = created(kind, _unique("old"))
    name = _unique("new") + "-" + ONE_TWENTY_EIGHT_BYTES[:40]
    result = cimi.put(before["id"], spec.renamed(before, name + "  "))
    assert result.status == 200, result.document
    assert result.document["name"] == cimi.get(before["id"]).document["name"] == name


# --- values oned cannot store -------------------------------------------------------------

@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind != "volumeImages"])
def test_values_oned_cannot_store_are_kept_on_create(cimi, created, kind):
    name = _unique("awkward")
    got, answered = created(kind, name, description=AWKWARD,
                            properties={AWKWARD: AWKWARD, "plain": "]]>"})
    for document in (got, answered):
        assert document["description"] == AWKWARD
        assert document["properties"] == {AWKWARD: AWKWARD, "plain": "]]>"}
    listed = cimi.get(KINDS[kind].collection, params={
        "$filter": f"description='{AWKWARD}' and name='{name}'", "$select": "description"})
    assert listed.status == 200, listed.document
    assert [member["description"] for member in listed.document[BODY_KEYS[kind]]] == [AWKWARD]


@pytest.mark.parametrize("kind", RENAMABLE)
def test_values_oned_cannot_store_are_kept_on_update(cimi, created, kind):
    spec = KINDS[kind]
    before, _ = created(kind, _unique("update"))
    body = {**spec.renamed(before, before["name"]), "description": AWKWARD,
            "properties": {"k": AWKWARD}}
    result = cimi.put(before["id"], body)
    assert result.status == 200, result.document
    got = cimi.get(before["id"]).document
    for document in (result.document, got):
        assert (document["description"], document["properties"]) == (AWKWARD, {"k": AWKWARD})


def test_opennebula_holds_only_what_it_can_store(cimi, created, backend):
    """The awkward description reaches OpenNebula encoded, never as `]]>` in its CDATA."""
    got, _ = created("volumes", _unique("raw"), description=AWKWARD)
    raw = backend.gateway.call("image.info", int(got["id"].rsplit("/", 1)[1]))
    stored = re.search(r"<CIMI_DESCRIPTION>(.*?)</CIMI_DESCRIPTION>", raw, re.S).group(1)
    assert "]]>" not in stored.removeprefix("<![CDATA[").removesuffix("]]>")
    assert "\U0001F680" not in stored


def test_a_volume_image_keeps_awkward_values_and_a_trimmed_name(cimi, created,
                                                                wait_for_state):
    volume, _ = created("volumes", _unique("source"))
    wait_for_state(volume["id"], "AVAILABLE")
    name = _unique("snap")
    result = cimi.post("/cimi/volumeImages", {
        "resourceURI": CIMI + "VolumeImage", "name": name + "  ", "description": AWKWARD,
        "volume": {"href": volume["id"]}})
    assert result.status == 201, result.document
    try:
        got = cimi.get(result.headers["Location"]).document
        assert (got["name"], got["description"]) == (name, AWKWARD)
    finally:
        wait_for_state(result.headers["Location"], "AVAILABLE")
        cimi.delete(result.headers["Location"])


# --- names the server derives ---------------------------------------------------------------

def test_a_volume_images_default_name_fits_a_long_volume_name(cimi, created, wait_for_state):
    volume, _ = created("volumes", "v" * 20 + ONE_TWENTY_EIGHT_BYTES[:54])
    wait_for_state(volume["id"], "AVAILABLE")
    result = cimi.post("/cimi/volumeImages", {"resourceURI": CIMI + "VolumeImage",
                                              "volume": {"href": volume["id"]}})
    assert result.status == 201, result.document
    try:
        name = cimi.get(result.headers["Location"]).document["name"]
        assert len(name.encode()) <= 128 and "-snapshot-" in name
    finally:
        wait_for_state(result.headers["Location"], "AVAILABLE")
        cimi.delete(result.headers["Location"])


def test_a_captures_default_name_fits_a_long_machine_name():
    name = default_name(SimpleNamespace(name=ONE_TWENTY_EIGHT_BYTES))
    assert re.fullmatch("é+-[0-9]{8}-[0-9]{6}", name) and is_valid_name(name)
    assert len(name.encode()) in (127, 128)


@pytest.mark.parametrize("comment, expected", [
    ("bob:desk", "ssh-key"), ("é" * 80, "é" * 64), ("carol@laptop  ", "carol@laptop")])
def test_a_credential_named_after_its_key_comment_gets_a_valid_name(cimi, comment, expected):
    key = ED25519_KEY.rsplit(" ", 1)[0] + " " + comment
    result = cimi.post("/cimi/credentials", credential_create(key))
    assert result.status == 201, result.document
    try:
        assert result.document["name"] == expected
    finally:
        cimi.delete(result.headers["Location"])


@pytest.mark.parametrize("location, shown", [
    ("https://images.example.org/a:b.qcow2", "':'"),
    ("https://images.example.org/" + "x" * 130, "130")])
def test_an_image_named_after_its_location_needs_a_valid_name(cimi, unchanged_backend,
                                                              location, shown):
    result = cimi.post("/cimi/machineImages", {"resourceURI": CIMI + "MachineImage",
                                               "imageLocation": location})
    message = _error_message(result)
    assert "A name is needed" in message and shown in message


@pytest.mark.parametrize("comment", ["web ]]> box", "rocket \U0001F680"])
def test_a_key_comment_oned_cannot_store_is_refused(cimi, unchanged_backend, comment):
    key = ED25519_KEY.rsplit(" ", 1)[0] + " " + comment
    message = _error_message(cimi.post("/cimi/credentials", credential_create(key)))
    assert "cannot store" in message


# --- captures and snapshots name images and snapshots ----------------------------------------

def test_capture_and_snapshot_names_follow_the_rule(cimi, started_machine, unchanged_backend):
    for action in ("capture", "snapshot"):
        for name, shown in (("a#b", "'#'"), ("é" * 65, "130")):
            result = cimi.post(started_machine, {
                "resourceURI": CIMI + "Action", "action": CIMI + "action/" + action,
                "image": {"name": name}})
            assert shown in _error_message(result)
