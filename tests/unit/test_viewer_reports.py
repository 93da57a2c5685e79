"""GET /api/venues/{venue}/report: a viewer gets the PDF or HTML; bad periods are refused."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from ingest.contract import Reading
from tests.unit.test_viewer_support import PASSWORDS, Rig, V, app_of, make_rig

START = 1_795_996_800.0
END = START + 86_400.0


@pytest.fixture(scope="module")
def env(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, Rig, dict[str, str]]]:
    rig = make_rig(Path(tmp_path_factory.mktemp("reports")))
    ts = np.arange(START - 2 * 86_400.0, END, 300.0).tolist()
    readings = [Reading(V, "gallery-b-temp", t, 20.0) for t in ts]
    readings += [Reading(V, "gallery-b-rh", t, 50.0) for t in ts]
    asyncio.run(rig.store.write_readings(readings))
    with TestClient(app_of(rig)) as c:
        res = c.post("/api/auth/login", json={"username": "ada", "password": PASSWORDS["ada"][1]})
        yield c, rig, {"Authorization": f"Bearer {res.json()['token']}"}


def test_a_viewer_gets_the_pdf_and_the_html(env: tuple[TestClient, Rig, dict[str, str]]) -> None:
    c, _rig, auth = env
    url = f"/api/venues/{V}/report?start={START}&end={END}&zone=gallery-b"
    res = c.get(url, headers=auth)
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(res.content))
    assert len(reader.pages) >= 3
    assert "Gallery B" in "".join(p.extract_text() for p in reader.pages)
    res = c.get(url + "&format=html&lang=zh-CN", headers=auth)
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
    assert "文物保护与运营报告" in res.text


@pytest.mark.parametrize(
    ("query", "status"),
    [
        (f"start={END}&end={START}", 422),
        (f"start={START}&end={START + 400 * 86_400}", 422),
        (f"start=1e300&end={END}", 422),
        (f"start=nan&end={END}", 422),
        (f"start={START}&end={END}&zone=atlantis", 404),
        (f"start={START}&end={END}&zone=gallery-b&artefact=silk-robe", 422),
        (f"start={START}&end={END}&format=docx", 422),
    ],
)
def test_bad_requests_are_refused(
    env: tuple[TestClient, Rig, dict[str, str]], query: str, status: int
) -> None:
    c, _rig, auth = env
    assert c.get(f"/api/venues/{V}/report?{query}", headers=auth).status_code == status


def test_a_report_needs_a_token(env: tuple[TestClient, Rig, dict[str, str]]) -> None:
    c, _rig, _auth = env
    assert c.get(f"/api/venues/{V}/report?start={START}&end={END}").status_code == 401
    assert (
        c.get(f"/api/venues/atlantis/report?start={START}&end={END}", headers=_auth).status_code
        == 404
    )


def test_the_viewer_starts_without_matplotlib() -> None:
    # Drawing is the optional `report` extra: only a report being rendered imports it.
    import subprocess
    import sys

    code = "import sys, viewer.app, venue_twin.cli; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
