"""The flask-restx pieces every CIMI resource module builds on.

flask-restx is used for routing only: responses are rendered by `app.protocol.respond`, errors
by `app.protocol`'s handlers, and there is no Swagger UI or spec, so nothing restx adds can
shadow a CIMI route or answer in a non-CIMI shape.
"""
from flask_restx import Api, Namespace

from app.services.resource_metadata import type_name_of


class CimiApi(Api):
    def _register_specs(self, app_or_blueprint):
        """No swagger.json: CIMI clients discover the API from the Cloud Entry Point."""

    def _register_doc(self, app_or_blueprint):
        """No Swagger UI and no root view: the base path belongs to the Cloud Entry Point."""

    def _register_apidoc(self, app):
        """No Swagger UI static files either."""

    def error_router(self, original_handler, e):
        """Leave every error to the application's handlers, which render CIMI error bodies."""
        return original_handler(e)


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
