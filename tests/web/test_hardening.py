"""What every answer carries and every request passes (web/hardening.py): security headers, hostile
JSON refused with the error shape, the deployed XML served as text a browser never runs."""

from __future__ import annotations

import pytest

from ..conftest import EXAMPLES, Api

JSON_PATHS = (
    "/api/process-definitions/hello_task/start",
    "/api/messages",
    "/api/signals",
    "/api/tasks/no-such-task/complete",
    "/api/microflows/no-such-microflow/call",
)


@pytest.mark.parametrize("path", JSON_PATHS)
@pytest.mark.parametrize(
    ("value", "says"),
    [("[" * 10_000 + "]" * 10_000, "nested too deeply"), ("9" * 5000, "cannot be read")],
    ids=["10000-deep", "5000-digit-integer"],
)
def test_hostile_json_is_400_with_the_error_shape(api: Api, path: str, value: str, says: str) -> None:
    api.deploy(("hello_task.bpmn", (EXAMPLES / "hello_task.bpmn").read_bytes()))
    body = '{"name": "n", "variables": {"a": VALUE}, "input": {"a": VALUE}}'.replace("VALUE", value)
    status, answer = api.post(path, data=body, content_type="application/json")
    assert status == 400, answer
    assert answer["error"]["code"] == "bad_request" and says in answer["error"]["message"]


def test_every_answer_carries_the_security_headers(api: Api) -> None:
    for path, user in (("/api/tasks", "ada"), ("/login", None), ("/api/docs", None), ("/api/nothing", "ada")):
        answer = api.client.get(path, headers={"Authorization": f"Bearer {api.tokens[user]}"} if user else {})
        csp = answer.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"
        if user:
            assert answer.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in answer.headers  # no secure cookies: plain HTTP


def test_hsts_is_sent_when_the_cookies_are_secure(api: Api) -> None:
    api.app.config["SESSION_COOKIE_SECURE"] = True
    assert api.client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_api_reference_page_loads_nothing_from_another_host(api: Api) -> None:
    page = api.client.get("/api/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page and "/api/openapi.json" in page
    assert "http://" not in page and "https://" not in page
    assert "<script>" not in page  # no inline script: each script has a src


def test_the_deployed_xml_is_text_a_browser_never_runs(api: Api) -> None:
    xhtml = (
        (EXAMPLES / "hello_task.bpmn")
        .read_text()
        .replace(
            "<bpmn:process ",
            '<bpmn:extensionElements><script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>'
            "</bpmn:extensionElements><bpmn:process ",
            1,
        )
    )
    api.deploy(("hello_task.bpmn", xhtml.encode()))
    answer = api.client.get(
        "/api/process-definitions/hello_task/xml", headers={"Authorization": f"Bearer {api.tokens['ada']}"}
    )
    assert answer.status_code == 200 and "alert(1)" in answer.get_data(as_text=True)  # as deployed
    assert answer.mimetype == "text/plain"
    assert answer.headers["Content-Security-Policy"].startswith("sandbox")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
