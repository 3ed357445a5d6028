"""The CIMI HTTP layer: one flask-restx Namespace module per resource, routes only.

`init_app(app)` serves, under CIMI_BASE_PATH, the `namespace` of every module of this package
that defines one, so a new resource module needs no edit here. The Cloud Entry Point lists the
collections of exactly the namespaces registered.
"""
import importlib
import pkgutil

from flask_restx import Namespace

from app.cimi import api as cimi_api, cloud_entry_point
from app.cimi.idempotent import honoured


def init_app(app):
    api = cimi_api.mount(app, resource_namespaces(), decorators=[honoured])
    app.extensions[cloud_entry_point.EXTENSION] = api


def resource_namespaces():
    """The `namespace` of every module of this package that has one, by module name."""
    modules = [importlib.import_module(f"{__name__}.{module.name}")
               for module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name)]
    return [module.namespace for module in modules
            if isinstance(getattr(module, "namespace", None), Namespace)]
