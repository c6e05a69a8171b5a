"""The HTTP API's door: tokens, 401s, the public paths, the OpenAPI document and the error shape."""

from __future__ import annotations

from ..conftest import Api

DESIGN_PATHS = {
    "/api/process-definitions": {"get", "post"},
    "/api/process-definitions/{key}": {"get"},
    "/api/process-definitions/{key}/xml": {"get"},
    "/api/process-definitions/{key}/start": {"post"},
    "/api/process-instances": {"get"},
    "/api/process-instances/{instance_id}": {"get"},
    "/api/process-instances/{instance_id}/history": {"get"},
    "/api/process-instances/{instance_id}/suspend": {"post"},
    "/api/process-instances/{instance_id}/resume": {"post"},
    "/api/process-instances/{instance_id}/terminate": {"post"},
    "/api/tasks": {"get"},
    "/api/tasks/{task_id}": {"get"},
    "/api/tasks/{task_id}/claim": {"post"},
    "/api/tasks/{task_id}/unclaim": {"post"},
    "/api/tasks/{task_id}/complete": {"post"},
    "/api/messages": {"post"},
    "/api/signals": {"post"},
    "/api/microflows": {"get"},
    "/api/microflows/{name}/call": {"post"},
    "/api/jobs/{job_id}": {"get"},
    "/api/jobs/{job_id}/retry": {"post"},
    "/api/incidents": {"get"},
    "/api/incidents/{incident_id}/retry": {"post"},
    "/api/health": {"get"},
}


def test_every_path_but_health_needs_a_valid_token(api: Api) -> None:
    for path in ("/api/tasks", "/api/process-definitions", "/api/microflows", "/api/incidents"):
        status, body = api.get(path, user=None)
        assert status == 401 and body["error"]["code"] == "unauthorized", path
        status, body = api.get(path, user=None, headers={"Authorization": "Bearer fb_not-a-real-token"})
        assert status == 401, path
        status, body = api.get(path, user=None, headers={"Authorization": "Basic YWRhOnNlY3JldA=="})
        assert status == 401, path
    assert api.post("/api/process-definitions/x/start", user=None, json={})[0] == 401
    assert api.get("/api/health", user=None) == (200, {"database": "ok"})


def test_a_revoked_token_stops_working(api: Api) -> None:
    assert api.get("/api/tasks", "bob")[0] == 200
    [token] = api.engine.accounts.list_tokens("bob")
    api.engine.accounts.revoke_token(token["id"])
    assert api.get("/api/tasks", "bob")[0] == 401


def test_the_openapi_document_covers_the_design_with_schemas_and_security(api: Api) -> None:
    status, spec = api.get("/api/openapi.json", user=None)
    assert status == 200 and spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path, methods in DESIGN_PATHS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    start = paths["/api/process-definitions/{key}/start"]["post"]
    assert "requestBody" in start and "201" in start["responses"]
    assert {"variables", "business_key", "wait_seconds"} <= set(
        spec["components"]["schemas"]["StartIn"]["properties"]
    )
    assert start["security"] == [{"bearer": []}]
    assert "bearer" in spec["components"]["securitySchemes"]
    assert "security" not in paths["/api/health"]["get"]

    docs = api.client.get("/api/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.data


def test_errors_are_json_for_unknown_paths_and_methods(api: Api) -> None:
    status, body = api.get("/api/nothing-here")
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body = api.call("DELETE", "/api/tasks")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"
