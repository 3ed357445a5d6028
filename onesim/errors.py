"""oned's error codes and the exception every handler raises to fail a call.

The failure envelope is built from the exception by the dispatcher, so a handler never
formats envelopes itself. Message prefixes ("[one.x.y] ") are added by the dispatcher too;
the helpers below produce the rest of oned's wording (`Request::failure_message`).
"""

AUTHENTICATION = 0x0100
AUTHORIZATION = 0x0200
NO_EXISTS = 0x0400
ACTION = 0x0800
XML_RPC_API = 0x1000
INTERNAL = 0x2000
ALLOCATE = 0x4000
LOCKED = 0x8000

# xmlrpc-c fault codes (the C library under oned answers these, not oned itself).
FAULT_TYPE = -501
FAULT_NO_SUCH_METHOD = -506


class OneError(Exception):
    """A call failing with oned's envelope [false, message, code, object_id, -1].

    `message` is the text after the "[one.x.y] " prefix.
    """

    def __init__(self, code, message, object_id=-1):
        super().__init__(message)
        self.code = code
        self.message = message
        self.object_id = object_id


class RpcFault(Exception):
    """A call failing with an XML-RPC fault (wrong argument types, unknown method)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(object_name, object_id):
    if object_id == -1:
        return OneError(NO_EXISTS, f"Error getting {object_name} Pool.", -1)
    return OneError(NO_EXISTS, f"Error getting {object_name} [{object_id}].", object_id)


def not_authorized(uid, detail, object_id=-1):
    return OneError(AUTHORIZATION, f"User [{uid}] : {detail}.", object_id)


def allocate_failed(object_name, detail=""):
    message = f"Error allocating a new {object_name}."
    if detail:
        message += f" {detail}"
    return OneError(ALLOCATE, message, -1)


def api_error(message, object_id=-1):
    return OneError(XML_RPC_API, message, object_id)


def internal_error(message, object_id=-1):
    return OneError(INTERNAL, message, object_id)


def unwritable(object_label):
    """oned's failure to write an object whose values hold `]]>` (they are CDATA sections)."""
    return OneError(INTERNAL, f"Error transforming the {object_label} to XML.")


def authentication_failed():
    return OneError(AUTHENTICATION, "User couldn't be authenticated, aborting call.")
