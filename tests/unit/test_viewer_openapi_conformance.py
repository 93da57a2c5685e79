"""The OpenAPI schema agrees with the server: schemathesis, all checks, as admin and viewer.

Issue 17 item 21 (and 19, 20): 76,000 generated requests found 500s on bad
numbers, a 97 MB echo of a 13 MB body, undocumented 401/403/404, a plain-string
422, ``mesh.glb`` documented as JSON, ``/api/health`` declaring a token it does
not need and ``/metrics`` missing. Here every operation of the in-process app
(ASGI, no sockets) gets a bounded number of generated requests, positive and
negative, with every schemathesis check; and a stateful run follows the
replay session links (create, read, control, delete).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Case

from tests.unit.test_viewer_support import PASSWORDS, app_of, make_rig
from viewer.login_limits import LoginLimiter, LoginPolicy

# Bounded: about 15 generated requests per operation and role.
EXAMPLES = int(os.environ.get("VENUE_TWIN_SCHEMATHESIS_EXAMPLES", "15"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def _app_and_tokens() -> tuple[Any, dict[str, str]]:
    rig = make_rig(Path(tempfile.mkdtemp(prefix="openapi-")))
    app = app_of(rig)
    with TestClient(app) as c:
        tokens = {
            role: c.post("/api/auth/login", json={"username": name, "password": pw}).json()["token"]
            for name, (role, pw) in PASSWORDS.items()
        }
    # Generated logins fail by the hundred from one address: throttling them
    # (429, documented) is right, but the runs should reach the other routes.
    rig.ctx.auth.limiter = LoginLimiter(LoginPolicy(per_address=10**6, per_account=10**6))
    return app, tokens


APP, TOKENS = _app_and_tokens()


def _schema_as(role: str) -> Any:
    schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
    token = TOKENS[role]

    @schema.auth()
    class Bearer:
        def get(self, case: Case, ctx: Any) -> str:
            return token

        def set(self, case: Case, data: str, ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return schema


ADMIN = _schema_as("admin")
VIEWER = _schema_as("viewer")


@ADMIN.parametrize()
@SETTINGS
def test_every_operation_as_admin(case: Case) -> None:
    case.call_and_validate()


@VIEWER.parametrize()
@SETTINGS
def test_every_operation_as_viewer(case: Case) -> None:
    case.call_and_validate()


def test_the_schema_documents_what_the_server_answers() -> None:
    schema = APP.openapi()
    paths = schema["paths"]
    assert "security" not in paths["/api/health"]["get"]
    mesh = paths["/api/venues/{venue}/mesh.glb"]["get"]["responses"]["200"]["content"]
    assert list(mesh) == ["model/gltf-binary"]
    assert "text/plain" in paths["/metrics"]["get"]["responses"]["200"]["content"]
    for path, ops in paths.items():
        for method, op in ops.items():
            codes = set(op["responses"])
            if op.get("security"):
                assert {"401", "403"} <= codes, (method, path)
            if "requestBody" in op:
                assert {"413", "422"} <= codes, (method, path)
    assert "429" in paths["/api/auth/login"]["post"]["responses"]


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_malformed_json_is_422_as_documented(role: str) -> None:
    with TestClient(APP) as c:
        res = c.post(
            "/api/replay",
            content=b"{not json",
            headers={"Authorization": f"Bearer {TOKENS[role]}", "Content-Type": "application/json"},
        )
    assert res.status_code == 422
    assert res.json()["detail"][0]["type"] == "json_invalid"


# Stateful: sequences of calls following the schema's links (replay sessions).
AdminSequences = ADMIN.as_state_machine().TestCase
AdminSequences.settings = settings(
    max_examples=10, stateful_step_count=6, deadline=None, suppress_health_check=list(HealthCheck)
)


def test_a_method_a_path_does_not_serve_is_405_naming_every_method_it_does() -> None:
    auth = {"Authorization": f"Bearer {TOKENS['admin']}"}
    with TestClient(APP) as c:
        session = c.request("PUT", "/api/replay/some-id", headers=auth)
        metrics = c.request("POST", "/metrics", headers=auth)
    assert session.status_code == 405 and session.headers["Allow"] == "DELETE, GET"
    assert metrics.status_code == 405 and metrics.headers["Allow"] == "GET, HEAD"
