"""The flask-restx Api that serves the CIMI resource modules, and its API description.

flask-restx routes the requests: a Namespace per resource module, a Resource class per URL
(a method the class lacks is a 405 with Allow). Its own description is switched off through its
public options (`doc=False`, `add_specs=False`): restx's Swagger 2.0 document describes restx
models and `expect`/`response` decorators, which these routes do not use (bodies are marshmallow
schemas, answers are rendered by `app.protocol.respond`). In its place `mount` registers, with
plain Flask calls, `<base>/openapi.json` (the OpenAPI document written from the routes'
declarations, `app.cimi.openapi`) and `<base>/docs`, restx's Swagger UI page
(`apidoc.ui_for`), whose static files restx's `apidoc` blueprint serves where restx always
puts it, at `/swaggerui/` (no CDN). The description is readable without credentials, as the
Cloud Entry Point is: it tells nothing about any user, and an operator or client reads it
before having an account.
"""
from flask import current_app, jsonify, url_for
from flask_restx import Api, Namespace, apidoc

from app.cimi import openapi
from app.protocol import base_uri
from app.protocol.negotiation import own_format
from app.protocol.model import of_collection
from app.services import cloud_entry_point

OPENAPI_SEGMENT = "openapi.json"
DOCS_SEGMENT = "docs"
OPENAPI_ENDPOINT = "openapi"
DOCS_ENDPOINT = "docs"


class CimiApi(Api):
    """restx's Api with two of its documented members set for this server."""

    @property
    def specs_url(self):
        """What the Swagger UI page loads: the OpenAPI document."""
        return url_for(OPENAPI_ENDPOINT)

    def error_router(self, original_handler, e):
        """Leave every error to the application's handlers, which render CIMI error bodies."""
        return original_handler(e)


def mount(app, namespaces, decorators):
    """Serve `namespaces` under CIMI_BASE_PATH, each route decorated by `decorators`, with the
    API description beside them; returns the Api.

    The Api has no prefix, the namespaces are placed under the base path instead: restx always
    adds a `root` view at the Api's prefix, which would answer the base path itself (instead
    of its redirect to the Cloud Entry Point at `<base>/`)."""
    base = app.config["CIMI_BASE_PATH"]
    api = CimiApi(title="cimi-one", doc=False, decorators=decorators)
    for namespace in namespaces:
        api.add_namespace(namespace, path=base + namespace.path)
    app.add_url_rule(f"{base}/{OPENAPI_SEGMENT}", OPENAPI_ENDPOINT,
                     own_format(lambda: _openapi_document(api)))
    app.add_url_rule(f"{base}/{DOCS_SEGMENT}", DOCS_ENDPOINT,
                     own_format(lambda: apidoc.ui_for(api)))
    api.init_app(app, add_specs=False)  # the constructor ignores add_specs
    return api


def _openapi_document(api):
    collections = [key for key, _ in registered_collections(api)]
    return jsonify(openapi.document(current_app, base_uri(), collections))


class CollectionNamespace(Namespace):
    """A Namespace serving one CIMI collection under `segment`; the Cloud Entry Point lists the
    collection under `entry_point_key` once the namespace is registered."""

    def __init__(self, entry_point_key, segment, description):
        super().__init__(segment, description=description, path="/" + segment)
        self.entry_point_key = entry_point_key
        self.segment = segment
        self.type_name = of_collection(entry_point_key).name


def registered_collections(api):
    """(Cloud Entry Point key, path segment) of every collection the Api serves, in the order
    the Cloud Entry Point lists them."""
    collections = [(namespace.entry_point_key, namespace.segment)
                   for namespace in api.namespaces if isinstance(namespace, CollectionNamespace)]
    return sorted(collections, key=lambda pair: cloud_entry_point.listing_order(pair[0]))
