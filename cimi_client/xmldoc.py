"""CIMI XML documents read into the dict shape of their JSON form.

XML repeats one element per list item under the attribute's singular name (`<disk>` for
`disks`), writes properties as `<property key="k">` and operations as `<operation rel href>`,
names collection members by their type (`<Machine>`) and carries no value types; the tables
below restore what JSON would have said.
"""
from xml.etree import ElementTree

NAMESPACE = "http://schemas.dmtf.org/cimi/1"
PLURALS = {
    "address": "addresses", "affectedResource": "affectedResources", "attribute": "attributes",
    "capability": "capabilities", "disk": "disks", "eventLogTemplate": "eventLogTemplates",
    "ipAddress": "ipAddresses", "meter": "meters", "meterTemplate": "meterTemplates",
    "nestedJob": "nestedJobs", "networkInterface": "networkInterfaces",
    "networkInterfaceTemplate": "networkInterfaceTemplates", "sshKey": "sshKeys",
    "volume": "volumes", "volumeTemplate": "volumeTemplates",
}
# A MachineVolume's `volume` is one reference, not an item of a `volumes` list.
SINGLE_VALUED = {"MachineVolume": {"volume"}, "MachineNetworkInterfaceAddress": {"address"}}
NUMBERS = {"count", "cpu", "memory", "capacity", "size", "progress", "returnCode", "status",
           "mtu", "port"}
DECIMALS = {"cpuUsage"}
BOOLEANS = {"bootable", "force", "readOnly", "persistent", "shareable", "volatile"}


def parse(content):
    """The document an XML body holds, shaped like its JSON form."""
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as error:
        raise ValueError(f"malformed XML: {error}") from None
    type_name = _local(root.tag)
    document = {"resourceURI": root.get("resourceURI") or f"{NAMESPACE}/{type_name}"}
    document.update(_children(root, type_name))
    return document


def _children(element, type_name):
    shaped = {}
    for child in element:
        name = _local(child.tag)
        if name == "property":
            shaped.setdefault("properties", {})[child.get("key")] = child.text or ""
        elif name == "operation":
            shaped.setdefault("operations", []).append(dict(child.attrib))
        elif name[:1].isupper():
            member = {"resourceURI": f"{NAMESPACE}/{name}", **_children(child, name)}
            shaped.setdefault(_member_key(name), []).append(member)
        elif name in PLURALS and name not in SINGLE_VALUED.get(type_name, ()):
            shaped.setdefault(PLURALS[name], []).append(_value(child, name))
        else:
            shaped[name] = _value(child, name)
    return shaped


def _value(element, name):
    if len(element) or element.get("href") is not None:
        value = dict(element.attrib)
        value.update(_children(element, name))
        return value
    text = (element.text or "").strip()
    if name in NUMBERS and text.lstrip("-").isdigit():
        return int(text)
    if name in DECIMALS:
        try:
            return float(text)
        except ValueError:
            return text
    if name in BOOLEANS and text in ("true", "false"):
        return text == "true"
    return text


def _member_key(type_name):
    """`MachineImage` -> `machineImages`, as CIMI's JSON collections name their members."""
    camel = type_name[:1].lower() + type_name[1:]
    if camel.endswith(("s", "x", "sh", "ch")):
        return camel + "es"
    if camel.endswith("y") and camel[-2:-1] not in "aeiou":
        return camel[:-1] + "ies"
    return camel + "s"


def _local(tag):
    return tag.rpartition("}")[2]
