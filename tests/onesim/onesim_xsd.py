"""Validation of oned documents against OpenNebula's XSDs.

oned writes no namespace while the schemas have targetNamespace
http://opennebula.org/XMLSchema (elementFormDefault qualified), so every element of the
document is moved into that namespace before validating.
"""
from functools import lru_cache
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).parent / "data" / "xsd"
NAMESPACE = "http://opennebula.org/XMLSchema"
SCHEMA_BY_ROOT = {
    "IMAGE": "image.xsd", "IMAGE_POOL": "image_pool.xsd",
    "DATASTORE": "datastore.xsd", "DATASTORE_POOL": "datastore_pool.xsd",
    "HOST": "host.xsd", "HOST_POOL": "host_pool.xsd",
    "VNET": "vnet.xsd", "VNET_POOL": "vnet_pool.xsd",
    "USER": "user.xsd", "USER_POOL": "user_pool.xsd",
    "GROUP": "group.xsd", "GROUP_POOL": "group_pool.xsd",
    "DOCUMENT": "document.xsd", "DOCUMENT_POOL": "document_pool.xsd",
    "VM": "vm.xsd", "VMTEMPLATE": "vmtemplate.xsd", "VMTEMPLATE_POOL": "vmtemplate_pool.xsd",
    "OPENNEBULA_CONFIGURATION": "opennebula_configuration.xsd",
}


@lru_cache(maxsize=None)
def schema(file_name):
    return etree.XMLSchema(etree.parse(str(XSD_DIR / file_name)))


def with_namespace(root):
    for element in root.iter(tag=etree.Element):
        element.tag = f"{{{NAMESPACE}}}{etree.QName(element).localname}"
    return root


def validate_document(text, schema_file=None):
    """Raise AssertionError with lxml's messages unless `text` is valid."""
    root = with_namespace(etree.fromstring(text.encode("utf-8")))
    name = schema_file or SCHEMA_BY_ROOT[etree.QName(root).localname]
    validator = schema(name)
    if not validator.validate(root):
        raise AssertionError(f"{name}: {validator.error_log}")
    return root
