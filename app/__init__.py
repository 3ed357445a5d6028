"""cimi-one: a DMTF CIMI server for OpenNebula."""
from flask import Flask

from app import config


def create_app(overrides=None):
    """Build the Flask application; `overrides` replaces settings read from the environment."""
    from app import cimi, console, health, logs, metrics, one, protocol

    application = Flask(__name__)
    application.config.update(config.from_environment())
    if overrides:
        application.config.update(overrides)
    logs.init_app(application)
    metrics.init_app(application)
    protocol.init_app(application)
    one.init_app(application)
    cimi.init_app(application)
    application.register_blueprint(health.blueprint)
    application.register_blueprint(console.blueprint)
    return application
