"""Credentials: `<base>/credentials` and `<base>/credentials/<id>`."""
from flask_restx import Resource

from app.cimi.context import ID, request_context, request_query, selected_update, shaped
from app.cimi.registry import CollectionNamespace
from app.protocol import read_body, require_current, respond
from app.services import credentials, links
from schemas.credentials import CredentialCreateSchema, CredentialUpdateSchema

namespace = CollectionNamespace("credentials", links.CREDENTIALS, "SSH public keys")


@namespace.route("")
class CredentialCollection(Resource):
    def get(self):
        ctx, query = request_context(), request_query()
        return respond(credentials.list_credentials(ctx, query))

    def post(self):
        ctx = request_context()
        created = credentials.create_credential(ctx, read_body(CredentialCreateSchema))
        return respond(created, 201, {"Location": created["id"]})


@namespace.route(f"/<{ID}:credential_id>")
class Credential(Resource):
    def get(self, credential_id):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, credentials.get_credential(ctx, credential_id)))

    def put(self, credential_id):
        """An update of the attributes the body gives, or of those `$select` names."""
        ctx, query = request_context(), request_query()
        require_current(lambda: credentials.get_credential(ctx, credential_id))
        body = selected_update(query, read_body(CredentialUpdateSchema))
        return respond(credentials.update_credential(ctx, credential_id, body))

    def delete(self, credential_id):
        ctx = request_context()
        require_current(lambda: credentials.get_credential(ctx, credential_id))
        credentials.delete_credential(ctx, credential_id)
        return respond(None, 200)
