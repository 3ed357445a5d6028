"""XML-RPC bodies as oned's xmlrpc-c server writes them.

Requests are decoded by the standard library; responses are encoded here because oned's
envelope needs `<i8>` (the replication index) which `xmlrpc.client` cannot emit.
"""
import xmlrpc.client
from xml.sax.saxutils import escape


class I8(int):
    """An integer sent as <i8>."""


def decode_request(body):
    """(method name, params) of a methodCall body; ValueError when it is not one."""
    try:
        params, method = xmlrpc.client.loads(body, use_builtin_types=True)
    except Exception as error:
        raise ValueError(str(error)) from error
    if method is None:
        raise ValueError("not a methodCall")
    return method, list(params)


def _value(value):
    if isinstance(value, bool):
        return f"<value><boolean>{int(value)}</boolean></value>"
    if isinstance(value, I8):
        return f"<value><i8>{int(value)}</i8></value>"
    if isinstance(value, int):
        return f"<value><i4>{value}</i4></value>"
    if isinstance(value, str):
        return f"<value><string>{escape(value)}</string></value>"
    if isinstance(value, (list, tuple)):
        items = "".join(f"{_value(item)}\r\n" for item in value)
        return f"<value><array><data>\r\n{items}</data></array></value>"
    raise TypeError(f"cannot encode {type(value).__name__}")


def encode_response(value):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\r\n<methodResponse>\r\n<params>\r\n'
        f"<param>{_value(value)}</param>\r\n</params>\r\n</methodResponse>\r\n"
    ).encode("utf-8")


def encode_fault(code, message):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\r\n<methodResponse>\r\n<fault>\r\n'
        "<value><struct>\r\n"
        f"<member><name>faultCode</name>\r\n<value><i4>{code}</i4></value></member>\r\n"
        f"<member><name>faultString</name>\r\n<value><string>{escape(message)}</string></value></member>\r\n"
        "</struct></value>\r\n</fault>\r\n</methodResponse>\r\n"
    ).encode("utf-8")


def success(value):
    return [True, value, 0]


def failure(message, code, object_id):
    return [False, message, code, object_id, I8(-1)]
