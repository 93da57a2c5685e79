"""The OpenAPI schema made to agree with what the server answers.

FastAPI documents a route's success and its 422, but not what the guards,
middleware and handlers add around it. This fills that in for every
operation, so a schema-driven client (or schemathesis, which the test suite
runs) finds each status it can meet:

- 401 and 403 on every operation behind a token; ``/api/health`` takes a
  token only to say more, so it declares none;
- 404 on every operation with a path parameter or a ``venue`` filter (an
  unknown venue, alarm, command or session);
- 413 on every operation with a body (``viewer/request_guard.py``), and
  422 in one shape (``viewer/errors.py``);
- 503 where a store or service can be down;
- links from a created replay session to its operations (for stateful
  clients and tests);
- the mesh as ``model/gltf-binary`` (and its 304), and ``/metrics``, a mounted
  Prometheus app outside FastAPI's routing, as ``text/plain``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

__all__ = ["install_openapi"]

_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "title": "Error",
}
_INVALID = {"$ref": "#/components/schemas/HTTPValidationError"}
_OPEN = {"/api/health", "/api/auth/login"}
_NO_SERVICE = ("/api/auth", "/api/health")


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _complete(path: str, method: str, op: dict[str, Any]) -> None:
    responses: dict[str, Any] = op.setdefault("responses", {})

    def add(status: int, body: dict[str, Any]) -> None:
        responses.setdefault(str(status), body)

    if path == "/api/health":
        op.pop("security", None)  # a token only adds details
    if op.get("security"):
        add(401, _json("No token, or a malformed, forged, expired or revoked one.", _ERROR))
        add(403, _json("The user's role is too low; the detail names the role needed.", _ERROR))
    names = {param.get("name") for param in op.get("parameters", [])}
    if "{" in path or "venue" in names:
        add(404, _json("No such venue, sensor, alarm, command or session.", _ERROR))
    if "requestBody" in op:
        add(413, _json("The body is larger than this route takes.", _INVALID))
        add(422, _json("Malformed JSON, NaN or Infinity, or a value out of range.", _INVALID))
    if not path.startswith(_NO_SERVICE) and path not in _OPEN:
        add(503, _json("A store or service this needs is down.", _ERROR))
    if path.endswith("/mesh.glb"):
        binary = {"type": "string", "format": "binary"}
        responses["200"] = {
            "description": "The venue mesh (binary glTF 2.0).",
            "content": {"model/gltf-binary": {"schema": binary}},
        }
        add(304, {"description": "Not modified (If-None-Match matched the ETag)."})
        add(500, _json("The mesh could not be exported.", _ERROR))
        if method == "head":
            responses["200"] = {"description": "The headers of the mesh answer."}


def _link_sessions(paths: dict[str, Any]) -> None:
    """OpenAPI links: a created replay session's id leads to its read, control and delete."""
    created = paths.get("/api/replay", {}).get("post", {}).get("responses", {}).get("201")
    if created is None:
        return
    links = {}
    for path, ops in paths.items():
        if path.startswith("/api/replay/{session_id}"):
            for method, op in ops.items():
                links[f"{method}{path}"] = {
                    "operationId": op["operationId"],
                    "parameters": {"session_id": "$response.body#/id"},
                }
    created["links"] = links


def _metrics() -> dict[str, Any]:
    return {
        "get": {
            "tags": ["system"],
            "summary": "Metrics",
            "description": "Prometheus text exposition format (role viewer).",
            "operationId": "metrics",
            "security": [{"HTTPBearer": []}],
            "responses": {
                "200": {
                    "description": "Prometheus metrics.",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
            },
        }
    }


def install_openapi(app: FastAPI, *, metrics: bool) -> None:
    """Replace ``app.openapi`` with the completed schema (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        paths: dict[str, Any] = schema.setdefault("paths", {})
        if metrics:
            paths["/metrics"] = _metrics()
        for path, ops in paths.items():
            for method, op in ops.items():
                _complete(path, method, op)
        _link_sessions(paths)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
