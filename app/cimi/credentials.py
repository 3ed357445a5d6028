"""Credentials: `<base>/credentials` and `<base>/credentials/<id>`."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import ID
from app.services import credentials, links
from schemas.credentials import CredentialCreateSchema, CredentialUpdateSchema

namespace = CollectionNamespace("credentials", links.CREDENTIALS, "SSH public keys")
credential = credentials.resource


@namespace.route("")
class CredentialCollection(Resource):
    @declare.declared(declare.lists("List the Credential collection", credentials.TYPE_NAME))
    def get(self):
        return crud.listing(credential.list)

    @declare.declared(declare.creates("Create one Credential", CredentialCreateSchema,
                                      credentials.TYPE_NAME))
    def post(self, body):
        return crud.creation(credentials.create_credential, body)


@namespace.route(f"/<{ID}:resource_id>")
class Credential(Resource):
    @declare.declared(declare.reads("Read one Credential", credentials.TYPE_NAME))
    def get(self, resource_id):
        return crud.reading(credential.get, resource_id)

    @declare.declared(declare.updates("Update one Credential, all of it or what $select names",
                                      CredentialUpdateSchema, credentials.TYPE_NAME, partial=True))
    def put(self, resource_id, body):
        return crud.selected_replacement(credential.get,
                                         credentials.update_credential, resource_id, body)

    @declare.declared(declare.deletes("Delete one Credential", declare.DELETED))
    def delete(self, resource_id):
        return crud.deletion(credential.get, credentials.delete_credential,
                             resource_id)
