"""What the generated OpenAPI document would otherwise leave out (an apispec plugin).

- The errors every operation can answer, whatever its view: 503 when the database is
  unavailable, and, for those that take a body, 413 (too large) and 415 (wrong media type).
- A `Dict` field's key rules as JSON Schema's `propertyNames` (variable names are non-empty),
  which apispec does not write.
- A request body whose schema has required fields is itself required (`require_bodies`): without
  it a client may rightly send none, and the server's 400 would contradict the document.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec, BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields

ERROR_REF = {"$ref": "#/components/schemas/HTTPError"}
COMMON_ERRORS = {"503": "The database is unavailable"}
BODY_ERRORS = {
    "413": "The request body is larger than the limit",
    "415": "The body is not of the media type the operation takes",
}


class ApiDocPlugin(BasePlugin):
    """Adds the common error responses to every operation and `propertyNames` to dict fields."""

    def init_spec(self, spec: APISpec) -> None:
        for plugin in spec.plugins:
            if isinstance(plugin, MarshmallowPlugin) and plugin.converter is not None:
                plugin.converter.add_attribute_function(property_names)

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            errors = {**COMMON_ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
            for status, description in errors.items():
                responses.setdefault(status, response(description))


Responses = dict[int | str, dict[str, Any]]
"""What `@api.doc(responses=...)` takes when every value is a whole response object."""


def responses(documented: Responses) -> Responses:
    """`documented` as it is; typed for `@api.doc`, whose union of accepted types mypy cannot infer."""
    return documented


def response(description: str, schema: Any = None, media_type: str = "application/json") -> dict[str, Any]:
    """A response for `@api.doc(responses=...)`: with the error shape unless `schema` says otherwise."""
    return {
        "description": description,
        "content": {media_type: {"schema": ERROR_REF if schema is None else schema}},
    }


def property_names(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """An apispec attribute function: a `Dict` field's key schema, as `propertyNames`."""
    if not isinstance(field, fields.Dict) or field.key_field is None:
        return {}
    names = self.field2property(field.key_field)
    return {"propertyNames": names} if set(names) - {"type"} else {}


def require_bodies(spec: dict[Any, Any] | str) -> dict[Any, Any] | str:
    """The generated document, each JSON request body marked required when its schema has required
    fields (an APIFlask spec processor; a document given as text is left as it is)."""
    if not isinstance(spec, dict):
        return spec
    schemas = spec.get("components", {}).get("schemas", {})
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            body: Any = operation.get("requestBody") if isinstance(operation, dict) else None
            if not isinstance(body, dict):
                continue
            schema = body.get("content", {}).get("application/json", {}).get("schema", {})
            ref = schema.get("$ref", "")
            if ref and schemas.get(ref.rsplit("/", 1)[-1], {}).get("required"):
                body["required"] = True
    return spec
