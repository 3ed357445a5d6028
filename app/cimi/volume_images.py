"""VolumeImages: `<base>/volumeImages` and `<base>/volumeImages/<id>` (snapshots of volumes)."""
from app.cimi import crud
from app.cimi.api import CollectionNamespace
from app.services import links, volume_images as images
from schemas.volumes import VolumeImageCreateSchema

namespace = CollectionNamespace("volumeImages", links.VOLUME_IMAGES,
                                "Volume images (snapshots of volumes, as image copies)")

crud.collection_routes(namespace, images.list_images, images.create_image,
                       VolumeImageCreateSchema)
crud.member_routes(namespace, images.get_image, delete_by_job=images.delete_image)
