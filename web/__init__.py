"""Flowbridge's web front end and JSON API: a Flask app on the engine's facade.

`create_app()` builds the app; views parse input, call the engine and shape the answer —
they never touch the database themselves. The pages (`web.pages`, server-rendered) log in with
a session (`web.login`); the JSON API (`web.api`) takes a bearer token or that session.
"""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask

from engine import Engine, Settings

from . import hardening, login, throttle
from .api import api
from .api.openapi import ApiDocPlugin, require_bodies
from .api.schemas import ERROR_SCHEMA
from .api_docs import docs
from .errors import register_error_handlers
from .pages import pages
from .pages.blueprint import error_page

ENGINE_KEY = "flowbridge.engine"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""The largest request body (a deployment's files); larger ones get 413."""


def create_app(engine: Engine | None = None, settings: Settings | None = None, **config: Any) -> APIFlask:
    """The Flask app, on `engine` (or a new engine from `settings`, else from the environment)."""
    app = APIFlask(
        __name__,
        title="Flowbridge API",
        version="1",
        docs_path=None,  # web.api_docs serves the page from this origin
        spec_path="/api/openapi.json",
        spec_plugins=[ApiDocPlugin()],
    )
    app.config.update(login.session_settings())
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        # DESIGN §5: bad input is 400; 422 is kept for form values that fail a task's form.
        VALIDATION_ERROR_STATUS_CODE=400,
        VALIDATION_ERROR_SCHEMA=ERROR_SCHEMA,
        HTTP_ERROR_SCHEMA=ERROR_SCHEMA,
        VALIDATION_ERROR_DESCRIPTION="Bad input: the fields and what is wrong with them",
        INFO={"description": "Deploy, start and drive BPMN process flows; call microflows."},
        **config,
    )
    if engine is None:
        engine = Engine(settings or Settings.from_env())
        engine.upgrade()
    app.extensions[ENGINE_KEY] = engine
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    login.init_app(app, engine)
    hardening.init_app(app)
    app.spec_processor(require_bodies)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.register_blueprint(docs)
    throttle.init_app(app)
    register_error_handlers(app, error_page)
    return app


def engine_of(app: Any) -> Engine:
    """The engine an app was made with."""
    found: Engine = app.extensions[ENGINE_KEY]
    return found
