"""Names and values oned 7.0.2 refuses or changes, with its exact envelopes.

oned refuses `& | : \\ " ; / ' # { } $ < >` and tab, newline, VT, FF, CR in names (users
also refuse spaces), counts 128 characters as UTF-8 bytes, and cannot write `]]>` (its
values are CDATA sections). Each case below was observed on an oned 7.0.2.
"""
import pytest

INTERNAL, ACTION, ALLOCATE = 0x2000, 0x0800, 0x4000
# VT and FF cannot travel in XML-RPC (XML 1.0 forbids them) and XML turns CR into LF, so
# the three other characters oned refuses cannot reach it.
REFUSED_CHARACTERS = "&|:\\\";/'#{}$<>\t\n"
TOO_LONG = "é" * 100  # 100 characters, 200 bytes
LONGEST = "é" * 64  # 128 bytes


def quoted(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def admin_raw(raw, sim):
    return raw(sim.admin_session)


@pytest.fixture
def allocators(admin_raw):
    """Per object type: how to allocate one named `name`, and oned's failure for `error`."""
    return {
        "template": (lambda name: admin_raw.template.allocate(f"NAME={quoted(name)}\nCPU=1\nMEMORY=64"),
                     lambda error: [False, f"[one.template.allocate] {error}", INTERNAL]),
        "vm": (lambda name: admin_raw.vm.allocate(f"NAME={quoted(name)}\nCPU=1\nMEMORY=64", True),
               lambda error: [False, f"[one.vm.allocate] {error}", INTERNAL]),
        "image": (lambda name: admin_raw.image.allocate(f"NAME={quoted(name)}\nTYPE=DATABLOCK\nSIZE=1", 1),
                  lambda error: [False, f"[one.image.allocate] Error allocating a new image. {error}", ALLOCATE]),
        "user": (lambda name: admin_raw.user.allocate(name, "pw", "", []),
                 lambda error: [False, f"[one.user.allocate] {error}.", INTERNAL]),
    }


@pytest.mark.parametrize("kind", ["template", "vm", "image", "user"])
@pytest.mark.parametrize("character", REFUSED_CHARACTERS)
def test_invalid_characters_are_refused_at_allocation(allocators, kind, character):
    allocate, failure = allocators[kind]
    expected = failure(f"Invalid NAME, char '{character}' is not allowed")
    assert allocate(f"a{character}b")[:3] == expected


@pytest.mark.parametrize("kind", ["template", "vm", "image", "user"])
def test_the_length_limit_counts_bytes(allocators, unique, kind):
    allocate, failure = allocators[kind]
    assert allocate(TOO_LONG)[:3] == failure("Invalid NAME, max length is 128 chars")
    assert allocate(LONGEST[: 64 - 8] + unique("")[:8].replace("-", "x"))[0] is True


def test_users_also_refuse_spaces(allocators):
    allocate, failure = allocators["user"]
    assert allocate("a b")[:3] == failure("Invalid NAME, char ' ' is not allowed")
    assert allocate("")[:3] == failure("Invalid NAME, it cannot be empty")


def test_user_allocation_failures_are_internal_errors(admin_raw):
    """UserAllocate reports UserPool::allocate's complaints bare, as INTERNAL errors."""
    assert admin_raw.user.allocate("demo", "pw", "", [])[:3] == [
        False, "[one.user.allocate] NAME is already taken by USER 2.", INTERNAL]
    assert admin_raw.user.allocate("nopassword", "", "", [])[:3] == [
        False, "[one.user.allocate] Invalid password, it cannot be empty.", INTERNAL]


@pytest.mark.parametrize("kind", ["template", "vm", "image", "document"])
def test_renames_are_action_failures_without_object_id(admin_raw, unique, kind):
    created = {
        "template": lambda: admin_raw.template.allocate(f'NAME="{unique("r")}"\nCPU=1\nMEMORY=64'),
        "vm": lambda: admin_raw.vm.allocate('NAME="r"\nCPU=1\nMEMORY=64', True),
        "image": lambda: admin_raw.image.allocate(f'NAME="{unique("r")}"\nTYPE=DATABLOCK\nSIZE=1', 1),
        "document": lambda: admin_raw.document.allocate('NAME="r"', 100),
    }[kind]()[1]
    rename = getattr(admin_raw, kind).rename
    for name, error in (("a/b", "Invalid NAME, char '/' is not allowed"),
                        ("a]]>b", "Invalid NAME, char '>' is not allowed"),
                        (TOO_LONG, "Invalid NAME, max length is 128 chars"),
                        ("", "Invalid NAME, it cannot be empty")):
        assert rename(created, name) == [False, f"[one.{kind}.rename] {error}", ACTION, -1, -1]
    # A rename keeps trailing spaces: only a parsed template's NAME is trimmed.
    assert rename(created, "spaced  ")[0] is True
    assert "<NAME>spaced  </NAME>" in getattr(admin_raw, kind).info(created)[1]


def test_template_names_lose_trailing_white_space(admin_raw, unique):
    name = unique("trimmed")
    plain = admin_raw.template.allocate(f'NAME="{name}  "\nCPU=1\nMEMORY=64')[1]
    assert f"<NAME>{name}</NAME>" in admin_raw.template.info(plain)[1]
    xml = admin_raw.template.allocate(f"<TEMPLATE><NAME>{name}x \t</NAME></TEMPLATE>")[1]
    assert f"<NAME>{name}x</NAME>" in admin_raw.template.info(xml)[1]
    blank = admin_raw.vm.allocate('NAME="   "\nCPU=1\nMEMORY=64', True)[1]
    assert f"<NAME>one-{blank}</NAME>" in admin_raw.vm.info(blank)[1]


def test_only_unquoted_values_lose_trailing_spaces(admin_raw):
    vm_id = admin_raw.vm.allocate('NAME="t"\nCPU=1\nMEMORY=64', True)[1]
    admin_raw.vm.update(vm_id, 'Q="x  "\nU=y   \nV=[A="b  ", C=d  ]', 1)
    document = admin_raw.vm.info(vm_id)[1]
    assert "<Q><![CDATA[x  ]]></Q>" in document and "<U><![CDATA[y]]></U>" in document
    assert "<V><A><![CDATA[b  ]]></A><C><![CDATA[d]]></C></V>" in document


def test_document_names_are_written_unescaped(admin_raw, validate_xml):
    """DocumentPool checks only the length; the name goes into the XML as it is."""
    assert admin_raw.document.allocate('NAME="a<b"', 100)[:3] == [
        False, "[one.document.allocate] Error transforming the Document to XML.", INTERNAL]
    assert admin_raw.document.allocate('NAME="a&b"', 100)[:3] == [
        False, "[one.document.allocate] Error transforming the Document to XML.", INTERNAL]
    assert admin_raw.document.allocate(f"NAME={quoted(TOO_LONG)}", 100)[:3] == [
        False, "[one.document.allocate] NAME is too long; max length is 128 chars.", INTERNAL]
    tabbed = admin_raw.document.allocate('NAME="a\tb;c"', 100)[1]
    assert "<NAME>a\tb;c</NAME>" in admin_raw.document.info(tabbed)[1]
    entity = admin_raw.document.allocate('NAME="a&amp;b>"', 100)[1]
    validate_xml(admin_raw.document.info(entity)[1])
    assert "<NAME>a&amp;b></NAME>" in admin_raw.document.info(entity)[1]
    assert admin_raw.document.clone(entity, "a]]>b")[:3] == [
        False, "[one.document.clone] Error allocating a new document. Error transforming the Document to XML.",
        ALLOCATE]
    assert admin_raw.document.clone(entity, TOO_LONG)[:3] == [
        False, "[one.document.clone] Error allocating a new document. NAME is too long; max length is 128 "
               "chars.", ALLOCATE]


@pytest.mark.parametrize("syntax", ['DESC="a]]>b"', "DESC=a]]>b"])
def test_cdata_end_is_a_parse_error_in_the_plain_syntax(admin_raw, unique, syntax):
    image_id = admin_raw.image.allocate(f'NAME="{unique("cdata")}"\nTYPE=DATABLOCK\nSIZE=1', 1)[1]
    vm_id = admin_raw.vm.allocate('NAME="c"\nCPU=1\nMEMORY=64', True)[1]
    assert admin_raw.vm.allocate(f"{syntax}\nCPU=1\nMEMORY=64")[:3] == [
        False, "[one.vm.allocate] Parse error.", INTERNAL]
    assert admin_raw.template.allocate(syntax)[:3] == [False, "[one.template.allocate] Parse error.", INTERNAL]
    assert admin_raw.image.update(image_id, syntax, 1)[:3] == [
        False, "[one.image.update] Cannot update template. Parse error.", INTERNAL]
    assert admin_raw.vm.update(vm_id, syntax, 1)[:3] == [False, "[one.vm.update] Parse error.", ACTION]


def test_cdata_end_in_the_xml_syntax_cannot_be_written(admin_raw, unique):
    value = "<DESC>a]]&gt;b</DESC>"
    assert admin_raw.vm.allocate(f"<TEMPLATE><CPU>1</CPU><MEMORY>64</MEMORY>{value}</TEMPLATE>")[:3] == [
        False, "[one.vm.allocate] Error transforming the VM to XML.", INTERNAL]
    assert admin_raw.template.allocate(f"<TEMPLATE><NAME>{unique('x')}</NAME>{value}</TEMPLATE>")[:3] == [
        False, "[one.template.allocate] Error transforming the Template to XML.", INTERNAL]
    image_xml = f"<TEMPLATE><NAME>{unique('x')}</NAME><TYPE>DATABLOCK</TYPE><SIZE>1</SIZE>{value}</TEMPLATE>"
    assert admin_raw.image.allocate(image_xml, 1)[:3] == [
        False, "[one.image.allocate] Error allocating a new image. Error transforming the Image to XML.",
        ALLOCATE]
    template_id = admin_raw.template.allocate(f'NAME="{unique("t")}"\nCPU=1\nMEMORY=64')[1]
    assert admin_raw.template.instantiate(template_id, "", True, f"<TEMPLATE>{value}</TEMPLATE>", False)[:3] == [
        False, "[one.template.instantiate] Error allocating a new virtual machine template. "
               "Error transforming the VM to XML.", ALLOCATE]


@pytest.mark.parametrize("kind", ["image", "vm", "template", "document", "user"])
def test_an_update_with_cdata_end_succeeds_and_stores_nothing(admin_raw, unique, kind):
    oid = {
        "image": lambda: admin_raw.image.allocate(f'NAME="{unique("u")}"\nTYPE=DATABLOCK\nSIZE=1', 1)[1],
        "vm": lambda: admin_raw.vm.allocate('NAME="u"\nCPU=1\nMEMORY=64', True)[1],
        "template": lambda: admin_raw.template.allocate(f'NAME="{unique("u")}"\nCPU=1')[1],
        "document": lambda: admin_raw.document.allocate('NAME="u"', 100)[1],
        "user": lambda: admin_raw.user.allocate(unique("u"), "pw", "", [])[1],
    }[kind]()
    objects = getattr(admin_raw, kind)
    assert objects.update(oid, "<TEMPLATE><KEPT>ok</KEPT><DESC>a]]&gt;b</DESC></TEMPLATE>", 1)[:3] == [
        True, oid, 0]
    assert "KEPT" not in objects.info(oid)[1]


def test_a_rename_onto_an_owned_name_collides(admin_raw, unique):
    first, second = unique("first"), unique("second")
    kept = admin_raw.image.allocate(f'NAME="{first}"\nTYPE=DATABLOCK\nSIZE=1', 1)[1]
    renamed = admin_raw.image.allocate(f'NAME="{second}"\nTYPE=DATABLOCK\nSIZE=1', 1)[1]
    assert admin_raw.image.rename(renamed, first) == [
        False, f"[one.image.rename] image cannot be renamed to {first} because it collides with image {kept}",
        ACTION, -1, -1]


def test_a_chown_onto_an_owned_name_collides(admin_raw, raw, sim, unique):
    name = unique("owned")
    demos = raw(sim.demo_session).image.allocate(f'NAME="{name}"\nTYPE=DATABLOCK\nSIZE=1', 1)[1]
    admins = admin_raw.image.allocate(f'NAME="{name}"\nTYPE=DATABLOCK\nSIZE=1', 1)[1]
    demo_uid = admin_raw.image.info(demos)[1].split("<UID>")[1].split("<")[0]
    assert admin_raw.image.chown(admins, int(demo_uid), -1) == [
        False, f"[one.image.chown] user [{demo_uid}] already owns image [{demos}] with NAME {name}", INTERNAL, -1, -1]
