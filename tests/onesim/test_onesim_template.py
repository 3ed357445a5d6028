"""Template parsing (both syntaxes) and oned's XML rendering."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onesim.template import Template, TemplateError


def test_attribute_syntax_with_vectors_comments_and_escapes():
    template = Template.parse('name = "a b"\n# a comment\nDISK = [ IMAGE_ID = 3,\n TARGET="vd\\"b" ]\nCPU=0.5\n')
    assert template.attributes == [
        ("NAME", "a b"), ("DISK", [("IMAGE_ID", "3"), ("TARGET", 'vd"b')]), ("CPU", "0.5")]


def test_xml_syntax_uses_the_root_children_whatever_the_root():
    template = Template.parse("<ANY><NAME><![CDATA[x]]></NAME><DISK><IMAGE_ID>1</IMAGE_ID></DISK></ANY>")
    assert template.get("NAME") == "x"
    assert template.vectors("DISK") == [{"IMAGE_ID": "1"}]


def test_a_bare_vector_element_becomes_top_level_attributes():
    assert Template.parse("<DISK><IMAGE_ID>3</IMAGE_ID></DISK>").get("IMAGE_ID") == "3"


@pytest.mark.parametrize("text", [
    'NAME="a]]>b"',
    "DISK=[IMAGE_ID=1",
    "= 3",
    "<T><NAME>x</T>",
])
def test_invalid_templates_are_parse_errors(text):
    with pytest.raises(TemplateError) as error:
        Template.parse(text)
    assert str(error.value).startswith("Parse error")


def test_rendering_sorts_attributes_and_leaves_and_wraps_leaves_in_cdata():
    template = Template([("MEMORY", "64"), ("DISK", [("TARGET", "sda"), ("IMAGE_ID", "1")]), ("CPU", "1")])
    assert template.to_xml() == (
        "<TEMPLATE><CPU><![CDATA[1]]></CPU><DISK><IMAGE_ID><![CDATA[1]]></IMAGE_ID>"
        "<TARGET><![CDATA[sda]]></TARGET></DISK><MEMORY><![CDATA[64]]></MEMORY></TEMPLATE>")


def test_xml_text_may_carry_the_cdata_terminator_and_renders_back_well_formed():
    template = Template.parse("<T><NAME>a]]&gt;b</NAME></T>")
    assert template.get("NAME") == "a]]>b"
    rendered = template.to_xml()
    assert rendered == "<TEMPLATE><NAME><![CDATA[a]]]]><![CDATA[>b]]></NAME></TEMPLATE>"
    assert Template.parse(rendered).get("NAME") == "a]]>b"


def test_empty_template_renders_open_and_close_tags():
    assert Template().to_xml("USER_TEMPLATE") == "<USER_TEMPLATE></USER_TEMPLATE>"


def test_merge_replaces_named_attributes_and_keeps_the_rest():
    current = Template([("A", "1"), ("B", "2"), ("B", "3")])
    current.merge(Template([("B", "4"), ("C", "5")]))
    assert sorted(current.attributes) == [("A", "1"), ("B", "4"), ("C", "5")]


def test_state_round_trip():
    template = Template([("A", "1"), ("V", [("K", "v")])])
    assert Template.from_state(template.to_state()).attributes == template.attributes


_values = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30).filter(
    lambda value: "]]>" not in value)


@settings(deadline=None, max_examples=60)
@given(st.dictionaries(st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True), _values, min_size=1, max_size=5))
def test_rendered_vector_syntax_parses_back_to_the_same_values(pairs):
    quoted = (value.replace("\\", "\\\\").replace('"', '\\"') for value in pairs.values())
    text = "V=[" + ", ".join(f'{key}="{value}"' for key, value in zip(pairs, quoted)) + "]"
    assert Template.parse(text).vectors("V") == [pairs]
