"""Bad numbers, bad JSON and huge bodies get a small 4xx, never a 500 or an echo (issue 17).

Each case here answered 500 (a traceback in the log), or echoed a 13 MB body
back as a 97 MB 422, before the bounds of viewer/bounds.py, the request guard
and the validation handler.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.unit.test_viewer_support import PASSWORDS, V, app_of, make_rig
from viewer.request_guard import DEFAULT_BODY_CAP, LOGIN_BODY_CAP

HISTORY = f"/api/venues/{V}/sensors/gallery-a-temp/history"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    rig = make_rig(Path(tmp_path_factory.mktemp("bad-input")))
    with TestClient(app_of(rig), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def engineer(client: TestClient) -> dict[str, str]:
    res = client.post(
        "/api/auth/login", json={"username": "enzo", "password": PASSWORDS["enzo"][1]}
    )
    return {"Authorization": f"Bearer {res.json()['token']}"}


@pytest.fixture(scope="module")
def viewer(client: TestClient) -> dict[str, str]:
    res = client.post("/api/auth/login", json={"username": "ada", "password": PASSWORDS["ada"][1]})
    return {"Authorization": f"Bearer {res.json()['token']}"}


def _assert_common_422(res_json: object, field: str) -> None:
    assert isinstance(res_json, dict)
    detail = res_json["detail"]
    assert isinstance(detail, list) and detail
    for item in detail:
        assert set(item) == {"loc", "msg", "type"}, item  # never the input back
    assert any(field in item["loc"] for item in detail), detail


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=0&end=1e16", "end"),
        ("start=-inf&end=10", "start"),
        ("start=nan&end=10", "start"),
        ("start=0&end=inf", "end"),
        ("start=-1e17&end=10", "start"),
        ("start=0&end=10&bucket=1e306", "bucket"),
        ("start=0&end=10&bucket=inf", "bucket"),
        ("start=0&end=10&bucket=nan", "bucket"),
        ("start=0&end=10&bucket=1e-9", "bucket"),
        ("start=10&end=0", "end"),
        ("start=0&end=1e9&bucket=1", "bucket"),
    ],
)
def test_history_rejects_numbers_no_store_can_hold(
    client: TestClient, viewer: dict[str, str], query: str, field: str
) -> None:
    res = client.get(f"{HISTORY}?{query}", headers=viewer)
    assert res.status_code == 422, res.text
    _assert_common_422(res.json(), field)


def test_history_at_the_bounds_of_time_answers(client: TestClient, viewer: dict[str, str]) -> None:
    res = client.get(f"{HISTORY}?start=-62135596800&end=253402300799", headers=viewer)
    assert res.status_code == 200, res.text
    res = client.get(f"{HISTORY}?start=0&end=253402300799&bucket=315537897599", headers=viewer)
    assert res.status_code == 200, res.text


@pytest.mark.parametrize(
    "body",
    [
        b'{"venue": "museum-wing", "start": -1e17, "end": 3600}',
        b'{"venue": "museum-wing", "start": -Infinity, "end": 3600}',
        b'{"venue": "museum-wing", "start": 0, "end": Infinity}',
        b'{"venue": "museum-wing", "start": 0, "end": 1e400}',
        b'{"venue": "museum-wing", "start": NaN, "end": 3600}',
        b'{"venue": "museum-wing", "start": 0, "end": 3600, "speed": NaN}',
    ],
)
def test_a_replay_window_must_be_finite_and_storable(
    client: TestClient, engineer: dict[str, str], body: bytes
) -> None:
    res = client.post(
        "/api/replay", content=body, headers={**engineer, "Content-Type": "application/json"}
    )
    assert res.status_code == 422, res.text
    _assert_common_422(res.json(), "body")


def test_a_seek_beyond_storable_time_is_422(client: TestClient, engineer: dict[str, str]) -> None:
    made = client.post("/api/replay", json={"venue": V, "start": 0, "end": 3600}, headers=engineer)
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    try:
        for t in ("5e16", "-1e17", "Infinity", "NaN"):
            res = client.post(
                f"/api/replay/{sid}/control",
                content=f'{{"action": "seek", "t": {t}}}'.encode(),
                headers={**engineer, "Content-Type": "application/json"},
            )
            assert res.status_code == 422, (t, res.text)
            _assert_common_422(res.json(), "body")
        ok = client.post(
            f"/api/replay/{sid}/control", json={"action": "seek", "t": 60}, headers=engineer
        )
        assert ok.status_code == 200 and ok.json()["t"] == 60
    finally:
        client.delete(f"/api/replay/{sid}", headers=engineer)


@pytest.mark.parametrize(
    "body",
    [
        b'{"username": NaN, "password": "x"}',
        b'{"username": "ada", "password": Infinity}',
        b'{"username": "ada", "password": -Infinity}',
        b'{"username": "ada", "password": 1e999}',
        b'{"username": "ada"',
        b"[" * 4000,
        b"\xff\xfe\x00",
    ],
    ids=["nan", "infinity", "minus-infinity", "overflow", "truncated", "deep", "not-utf8"],
)
def test_login_refuses_non_json_without_a_token_and_without_a_500(
    client: TestClient, body: bytes
) -> None:
    res = client.post("/api/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert res.status_code == 422, res.text
    assert res.json()["detail"][0]["type"] == "json_invalid"
    assert len(res.content) < 300


def test_a_rejected_value_is_never_echoed(client: TestClient) -> None:
    secret = "s3cret-" + "x" * 3000
    res = client.post("/api/auth/login", json={"username": secret, "password": "p"})
    assert res.status_code == 422
    assert "s3cret" not in res.text and len(res.content) < 500
    res = client.post("/api/auth/login", json={"username": "a", "password": "p", "x" * 2000: 1})
    assert res.status_code == 422 and len(res.content) < 500


def test_a_huge_login_body_is_413_at_once_and_small(client: TestClient) -> None:
    huge = b'{"username": "' + b"a" * 13_000_000 + b'", "password": "x"}'
    res = client.post("/api/auth/login", content=huge, headers={"Content-Type": "application/json"})
    assert res.status_code == 413, res.text[:200]
    assert len(res.content) < 300
    assert client.get("/api/health").status_code == 200


def test_a_chunked_body_without_a_length_is_capped_too(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"username": "'
        for _ in range(100):
            yield b"a" * 1024
        yield b'", "password": "x"}'

    res = client.post(
        "/api/auth/login", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert res.status_code == 413


def test_other_routes_take_modest_bodies(client: TestClient, engineer: dict[str, str]) -> None:
    note = "n" * (LOGIN_BODY_CAP * 2)  # over the login cap, well under the default
    res = client.post("/api/alarms/none/acknowledge", json={"note": note[:2000]}, headers=engineer)
    assert res.status_code == 404, res.text
    big = b'{"note": "' + b"n" * DEFAULT_BODY_CAP + b'"}'
    res = client.post(
        "/api/alarms/none/acknowledge",
        content=big,
        headers={**engineer, "Content-Type": "application/json"},
    )
    assert res.status_code == 413


def test_a_json_response_never_carries_infinity(
    client: TestClient, engineer: dict[str, str]
) -> None:
    made = client.post(
        "/api/replay", json={"venue": V, "start": 0, "end": 253402300799}, headers=engineer
    )
    assert made.status_code == 201, made.text
    assert made.json()["end"] == 253402300799
    client.delete(f"/api/replay/{made.json()['id']}", headers=engineer)
