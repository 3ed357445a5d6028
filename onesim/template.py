"""OpenNebula templates: parsing both syntaxes and rendering oned's XML.

A template is an ordered list of attributes. A single attribute's value is a string; a
vector attribute's value is a list of (name, string) pairs, e.g. DISK=[IMAGE_ID="3"].
Attribute names of the `NAME=value` syntax are upper-cased as oned does; XML names are kept.
Leaves render as CDATA (`<NAME><![CDATA[v]]></NAME>`), exactly like oned.
"""
import re
import xml.etree.ElementTree as ElementTree


class TemplateError(ValueError):
    """The text is not a valid template; str() is oned's "Parse error: ..." message."""


CDATA_END = "]]>"
TRIMMED_SPACE = " \f\n\r\t\v"

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r]+)
  | (?P<newline>\n)
  | (?P<comment>\#[^\n]*)
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<open>\[)
  | (?P<close>\])
  | (?P<comma>,)
  | (?P<equals>=)
  | (?P<word>[^\s=\[\],"#]+)
    """,
    re.VERBOSE | re.DOTALL,
)
_NAME = re.compile(r"^[A-Za-z_][\w.\-/]*$")


def _tokens(text):
    position, line = 0, 1
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise TemplateError(f"Parse error: syntax error, unexpected character at line {line}.")
        kind = match.lastgroup
        value = match.group()
        if kind == "newline":
            yield "newline", value, line
        elif kind == "quoted":
            yield "value", re.sub(r'\\(.)', r'\1', value[1:-1]), line
        elif kind == "word":
            yield "value", value, line
        elif kind not in ("space", "comment"):
            yield kind, value, line
        line += value.count("\n")
        position = match.end()
    yield "end", "", line


class _Parser:
    def __init__(self, text):
        self.tokens = _tokens(text)
        self.advance()

    def advance(self):
        self.kind, self.value, self.line = next(self.tokens)

    def fail(self):
        shown = "end of input" if self.kind == "end" else repr(self.value)
        raise TemplateError(f"Parse error: syntax error, unexpected {shown} at line {self.line}.")

    def skip_newlines(self):
        while self.kind == "newline":
            self.advance()

    def expect(self, kind):
        if self.kind != kind:
            self.fail()
        value = self.value
        self.advance()
        return value

    def name(self):
        name = self.expect("value")
        if not _NAME.match(name):
            raise TemplateError(f"Parse error: syntax error, invalid attribute name {name!r} at line {self.line}.")
        return name.upper()

    def attributes(self):
        parsed = []
        self.skip_newlines()
        while self.kind != "end":
            name = self.name()
            self.expect("equals")
            parsed.append((name, self.attribute_value()))
            if self.kind not in ("newline", "end"):
                self.fail()
            self.skip_newlines()
        return parsed

    def attribute_value(self):
        if self.kind == "open":
            self.advance()
            return self.vector()
        if self.kind == "value":
            value = self.value
            self.advance()
            return value
        if self.kind in ("newline", "end"):
            return ""
        self.fail()

    def vector(self):
        pairs = []
        self.skip_newlines()
        while self.kind != "close":
            name = self.name()
            self.expect("equals")
            value = ""
            if self.kind == "value":
                value = self.value
                self.advance()
            pairs.append((name, value))
            self.skip_newlines()
            if self.kind == "comma":
                self.advance()
                self.skip_newlines()
            elif self.kind != "close":
                self.fail()
        self.advance()
        return pairs


def cdata(value):
    """oned's leaf rendering: CDATA, split around any `]]>` inside the value so the
    document stays well-formed and the value reads back unchanged."""
    value = str(value).replace(CDATA_END, "]]]]><![CDATA[>")
    return f"<![CDATA[{value}]]>"


def _parse_xml(text):
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise TemplateError("Parse error: XML Template malformed.") from error
    parsed = []
    for child in root:
        if len(child):
            parsed.append((child.tag, [(leaf.tag, leaf.text or "") for leaf in child]))
        else:
            parsed.append((child.tag, child.text or ""))
    return parsed


class Template:
    """Ordered attributes of an OpenNebula template."""

    def __init__(self, attributes=()):
        self.attributes = [(name, _copy_value(value)) for name, value in attributes]

    @classmethod
    def parse(cls, text):
        """Either syntax, chosen as oned does: XML when the first character is '<'.

        oned's lexer refuses `]]>` anywhere in the first syntax with a bare "Parse error.";
        the XML syntax can carry it (see `holds_cdata_end`). NAME loses its trailing
        white space, as Template::parse_str_or_xml's trim_name does."""
        if text.lstrip().startswith("<"):
            template = cls(_parse_xml(text))
        elif CDATA_END in text:
            raise TemplateError("Parse error.")
        else:
            template = cls(_Parser(text).attributes())
        name = template.get("NAME")
        if name is not None:
            template.set("NAME", name.rstrip(TRIMMED_SPACE))
        return template

    def holds_cdata_end(self):
        """Whether a value holds `]]>`: oned then cannot write the object's XML (its values
        are CDATA sections), and fails with "Error transforming the <object> to XML."."""
        for _, value in self.attributes:
            values = [value] if isinstance(value, str) else [leaf for _, leaf in value]
            if any(CDATA_END in leaf for leaf in values):
                return True
        return False

    @classmethod
    def from_state(cls, state):
        return cls((name, value if isinstance(value, str) else [tuple(pair) for pair in value])
                   for name, value in state)

    def to_state(self):
        return [[name, value if isinstance(value, str) else [list(pair) for pair in value]]
                for name, value in self.attributes]

    def copy(self):
        return Template(self.attributes)

    def __len__(self):
        return len(self.attributes)

    def get(self, name, default=None):
        """The first single value named `name`."""
        for existing, value in self.attributes:
            if existing == name and isinstance(value, str):
                return value
        return default

    def vectors(self, name):
        """Every vector named `name`, as dicts (in order)."""
        return [dict(value) for existing, value in self.attributes
                if existing == name and not isinstance(value, str)]

    def set(self, name, value):
        """Replace every attribute named `name` by one with this value, kept in place."""
        value = _copy_value(value)
        for index, (existing, _) in enumerate(self.attributes):
            if existing == name:
                self.attributes[index] = (name, value)
                self.attributes = [attribute for position, attribute in enumerate(self.attributes)
                                   if attribute[0] != name or position == index]
                return
        self.attributes.append((name, value))

    def add(self, name, value):
        self.attributes.append((name, _copy_value(value)))

    def remove(self, name):
        """Drop every attribute named `name`; returns the removed values."""
        removed = [value for existing, value in self.attributes if existing == name]
        self.attributes = [attribute for attribute in self.attributes if attribute[0] != name]
        return removed

    def merge(self, other):
        """oned's append mode: attributes named in `other` replace those here."""
        for name in {name for name, _ in other.attributes}:
            self.remove(name)
        self.attributes.extend((name, _copy_value(value)) for name, value in other.attributes)

    def to_xml(self, root="TEMPLATE"):
        return f"<{root}>{self.inner_xml()}</{root}>"

    def inner_xml(self):
        """oned keeps attributes in a multimap and vector leaves in a map: both sorted."""
        parts = []
        for name, value in sorted(self.attributes, key=lambda attribute: attribute[0]):
            if isinstance(value, str):
                parts.append(f"<{name}>{cdata(value)}</{name}>")
            else:
                leaves = "".join(f"<{key}>{cdata(leaf)}</{key}>" for key, leaf in sorted(dict(value).items()))
                parts.append(f"<{name}>{leaves}</{name}>")
        return "".join(parts)


def _copy_value(value):
    return value if isinstance(value, str) else [(key, str(leaf)) for key, leaf in value]

