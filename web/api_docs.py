"""The API reference page, `/api/docs`: Swagger UI served from this origin (`web/static/vendor`).

APIFlask's own page loads Swagger UI from a CDN and starts it with an inline script; this one
loads the vendored copy and `static/api_docs.js`, so it holds to the Content-Security-Policy.
"""

from __future__ import annotations

from flask import Blueprint, render_template

docs = Blueprint("api_docs", __name__)


@docs.get("/api/docs")
def page() -> str:
    """Swagger UI on the OpenAPI document."""
    return render_template("api_docs.html")
