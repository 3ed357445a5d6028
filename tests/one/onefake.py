"""Test helpers for the gateway: recorded oned answers and a scripted oned on loopback."""
import glob
import os
import re
import threading
import xmlrpc.client
from socketserver import ThreadingMixIn
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

from flask import Flask
from hypothesis import strategies as st

import app.one
from app import config

# Response bodies of a real oned 7.0.2 (copied from the shared reference material, see the
# README there): the recorded answers the parser and error tests run on.
TRANSCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transcripts")
SESSION = "alice:s3cret-pass"

XML_CHARS = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*\\Z")

# Text XML 1.0 can carry, and text built from the pieces that break templates.
xml_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60).filter(
    lambda text: XML_CHARS.match(text) is not None)
nasty_text = st.one_of(
    xml_text,
    st.lists(st.sampled_from(['"', "\\", "]]>", "<", ">", "&", "=", "[", "]", ",", "\n", "\r",
                              "\r\n", "#", "'", "<![CDATA[", "</TEMPLATE>", "&amp;", "é", "€",
                              "\U0001F600", "NAME=x", "\t", " "]),
             max_size=12).map("".join),
)


def transcript_value(prefix):
    """The success value (or whole failure envelope) recorded in transcript NNN."""
    [path] = glob.glob(os.path.join(TRANSCRIPTS, f"{prefix}_*.response.xml"))
    with open(path, "rb") as response:
        envelope = xmlrpc.client.loads(response.read())[0][0]
    return envelope[1] if envelope[0] else envelope


def transcript_envelope(prefix):
    [path] = glob.glob(os.path.join(TRANSCRIPTS, f"{prefix}_*.response.xml"))
    with open(path, "rb") as response:
        return xmlrpc.client.loads(response.read())[0][0]


class _KeepAliveHandler(SimpleXMLRPCRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.server.fake.connections += 1


class _Server(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True


class FakeOned:
    """An XML-RPC server on 127.0.0.1 answering `one.*` calls with scripted envelopes.

    `answers[method]` is an envelope list or a function of the call's parameters returning
    one. Every call is recorded as (method, params) in `calls`.
    """

    def __init__(self):
        self.answers = {}
        self.calls = []
        self.connections = 0
        self.server = _Server(("127.0.0.1", 0), requestHandler=_KeepAliveHandler,
                              logRequests=False, allow_none=True)
        self.server.fake = self
        self.server.register_instance(self, allow_dotted_names=False)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)

    @property
    def url(self):
        host, port = self.server.server_address
        return f"http://{host}:{port}/RPC2"

    def _dispatch(self, method, params):
        self.calls.append((method, params))
        if method not in self.answers:
            raise xmlrpc.client.Fault(-501, f"Method {method} not found")
        answer = self.answers[method]
        return answer(*params) if callable(answer) else answer

    def succeed(self, method, value):
        self.answers[method] = [True, value, 0]

    def fail(self, method, code, message, resp_id=-1):
        self.answers[method] = [False, message, code, resp_id, -1]


def make_app(endpoint, **overrides):
    application = Flask(__name__)
    application.config.update(config.from_environment())
    application.config.update(ONE_XMLRPC=endpoint, **overrides)
    app.one.init_app(application)
    return application
