"""Credentials: `<base>/credentials` and `<base>/credentials/<id>`."""
from app.cimi import crud
from app.cimi.api import CollectionNamespace
from app.services import credentials, links
from schemas.credentials import CredentialCreateSchema, CredentialUpdateSchema

namespace = CollectionNamespace("credentials", links.CREDENTIALS, "SSH public keys")

crud.collection_routes(namespace, credentials.list_credentials, credentials.create_credential,
                       CredentialCreateSchema)
crud.member_routes(namespace, credentials.get_credential, update=credentials.update_credential,
                   update_schema=CredentialUpdateSchema, partial_updates=True,
                   delete=credentials.delete_credential)
