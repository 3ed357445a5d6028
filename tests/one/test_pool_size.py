"""Counting a pool document: one per object, whatever its templates hold."""
from app.one.gateway import pool_size


def vm(number, template=""):
    return f"<VM><ID>{number}</ID><NAME>vm</NAME><USER_TEMPLATE>{template}</USER_TEMPLATE></VM>"


def test_every_object_counts_once():
    assert pool_size("<VM_POOL></VM_POOL>", "VM") == 0
    assert pool_size("<VM_POOL>" + vm(7) + "</VM_POOL>", "VM") == 1
    assert pool_size("<VM_POOL>" + "".join(vm(n) for n in range(250)) + "</VM_POOL>", "VM") == 250


def test_template_attributes_named_like_the_object_do_not_count():
    nested = ("<VM><![CDATA[x]]></VM>"
              "<VM><ID><![CDATA[3]]></ID><NAME><![CDATA[y]]></NAME></VM>"
              "<VM><NAME><![CDATA[z]]></NAME></VM>")
    document = "<VM_POOL>" + vm(1, nested) + vm(2, nested) + "</VM_POOL>"
    assert pool_size(document, "VM") == 2


def test_escaped_text_does_not_count():
    document = "<VM_POOL>" + vm(1, "<NOTE>&lt;VM&gt;&lt;ID&gt;4</NOTE>") + "</VM_POOL>"
    assert pool_size(document, "VM") == 1


def test_markup_inside_a_value_does_not_count():
    """An image name a VM's DISK repeats may look like the objects' own markup."""
    disk = "<DISK><IMAGE><![CDATA[pub<VM><ID>1<VM><ID>2]]></IMAGE></DISK>"
    document = "<VM_POOL>" + vm(1, disk) + vm(2, disk) + "</VM_POOL>"
    assert pool_size(document, "VM") == 2
