"""The flask-restx pieces every CIMI resource module builds on.

flask-restx routes the requests (a Namespace per resource, a Resource class per URL) and
hosts the API description: `<base>/openapi.json`, the OpenAPI document written from the
routes' declarations (`app.cimi.openapi`), and `<base>/docs`, restx's Swagger UI page with its
static files served by this server under `<base>/docs/swaggerui/` (no CDN). restx's own
Swagger 2.0 document is switched off: it would describe restx models, which these routes do
not use (bodies are marshmallow schemas, answers are rendered by `app.protocol.respond`).
Errors are left to `app.protocol`'s handlers, so nothing restx adds can answer in a non-CIMI
shape. The description is readable without credentials, as the Cloud Entry Point is: it
tells nothing about any user, and an operator or client reads it before having an account.
"""
from flask import current_app, jsonify, url_for
from flask_restx import Api, Namespace, apidoc

from app.cimi import openapi
from app.protocol import base_uri
from app.protocol.negotiation import own_format
from app.protocol.names import type_name_of

OPENAPI_SEGMENT = "openapi.json"
DOCS_SEGMENT = "docs"
OPENAPI_ENDPOINT = "openapi"
DOCS_ENDPOINT = "docs"


class CimiApi(Api):
    def _register_specs(self, app_or_blueprint):
        """`<base>/openapi.json` instead of restx's swagger.json."""
        app_or_blueprint.add_url_rule(f"{self.prefix}/{OPENAPI_SEGMENT}", OPENAPI_ENDPOINT,
                                      own_format(_openapi_document))

    def _register_doc(self, app_or_blueprint):
        """`<base>/docs`, and no root view: the base path belongs to the Cloud Entry Point."""
        app_or_blueprint.add_url_rule(f"{self.prefix}/{DOCS_SEGMENT}", DOCS_ENDPOINT,
                                      own_format(lambda: apidoc.ui_for(self)))

    def _register_apidoc(self, app):
        """Swagger UI's static files, under `<base>/docs/`."""
        app.register_blueprint(apidoc.apidoc, url_prefix=f"{self.prefix}/{DOCS_SEGMENT}")

    @property
    def specs_url(self):
        """What the Swagger UI page loads."""
        return url_for(OPENAPI_ENDPOINT)

    def error_router(self, original_handler, e):
        """Leave every error to the application's handlers, which render CIMI error bodies."""
        return original_handler(e)


def _openapi_document():
    return jsonify(openapi.document(current_app, base_uri()))


class CollectionNamespace(Namespace):
    """A Namespace serving one CIMI collection under `segment`; the Cloud Entry Point lists the
    collection under `entry_point_key` once the namespace is registered."""

    def __init__(self, entry_point_key, segment, description):
        super().__init__(segment, description=description, path="/" + segment)
        self.entry_point_key = entry_point_key
        self.segment = segment
        self.type_name = type_name_of(entry_point_key)


def registered_collections(api):
    """(Cloud Entry Point key, path segment) of every collection the Api serves."""
    return [(namespace.entry_point_key, namespace.segment) for namespace in api.namespaces
            if isinstance(namespace, CollectionNamespace)]
