"""The stack and the app refuse the example secrets of infra/env.example (issue 17 item 10).

Before, compose only checked that each variable was set, so `cp env.example
.env && docker compose up` ran with passwords anyone could read here.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from venue_twin.broker_args import add_broker_args, mqtt_config
from venue_twin.example_secrets import EXAMPLE_MARKER, example_secrets_in
from venue_twin.runner import UsageError
from venue_twin.serving import serving_settings
from venue_twin.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "infra" / "env.example"
CHECK = ROOT / "infra" / "check-env.sh"
NOT_SECRET = {"MQTT_DEVICE_VENUE"}  # a venue id, not a credential


def _example() -> dict[str, str]:
    out = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key] = value
    return out


GOOD = {
    "POSTGRES_PASSWORD": "pg-Hk2m9vQx7Lw3",
    "MQTT_TWIN_PASSWORD": "twin-Zr8p2Nc6Tq1y",
    "MQTT_VIEWER_PASSWORD": "viewer-Bx4k7Wm2Pd9s",
    "MQTT_DEVICE_PASSWORD": "device-Qs3n8Fv5Lr2h",
    "DYNSEC_ADMIN_PASSWORD": "admin-Yt6c1Hj9Ku4e",
    "MQTT_INGEST_CLIENT_ID": "venue-twin-ingest-5b1f0c9a7e",
    "MQTT_DEVICE_ID": "gate-1",
}


def test_every_example_secret_carries_the_marker_both_checks_refuse() -> None:
    example = _example()
    assert set(GOOD) <= set(example), "check-env.sh and this test must know every secret"
    for key, value in example.items():
        if key not in NOT_SECRET:
            assert EXAMPLE_MARKER in value.lower(), key


def _preflight(env: dict[str, str], cert_dir: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(CHECK)],
        env={"PATH": os.environ["PATH"], "CERT_DIR": str(cert_dir), **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.fixture
def certs(tmp_path: Path) -> Path:
    for name in ("ca.crt", "server.crt", "server.key"):
        (tmp_path / name).write_text("x")
    return tmp_path


def test_the_compose_preflight_refuses_the_example_values(certs: Path) -> None:
    done = _preflight(_example(), certs)
    assert done.returncode == 1
    for key in GOOD:
        assert f"{key} still has the example value" in done.stderr, key
    for key, value in _example().items():
        if key not in NOT_SECRET:
            assert value not in done.stderr  # names, never values


def test_the_compose_preflight_passes_real_values(certs: Path) -> None:
    done = _preflight(GOOD, certs)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"MQTT_TWIN_PASSWORD": ""}, "MQTT_TWIN_PASSWORD is not set"),
        ({"POSTGRES_PASSWORD": "short"}, "POSTGRES_PASSWORD is shorter than 12"),
        ({"DYNSEC_ADMIN_PASSWORD": "my-CHANGE-ME-pw-1"}, "DYNSEC_ADMIN_PASSWORD still has"),
    ],
)
def test_the_compose_preflight_names_what_is_wrong(
    certs: Path, change: dict[str, str], said: str
) -> None:
    done = _preflight({**GOOD, **change}, certs)
    assert done.returncode == 1 and said in done.stderr


def test_the_compose_preflight_wants_the_broker_certificates(tmp_path: Path) -> None:
    done = _preflight(GOOD, tmp_path)
    assert done.returncode == 1
    assert "server.key is missing" in done.stderr and "docs/mqtt-security.md" in done.stderr


def _serve_args(config: Path | None = None) -> argparse.Namespace:
    return argparse.Namespace(config=config, host="127.0.0.1", port=0)


def test_the_app_refuses_example_secrets_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    example = _example()
    monkeypatch.setenv(
        "VENUE_TWIN_STORE_URL",
        f"postgresql://venue_twin:{example['POSTGRES_PASSWORD']}@db:5432/venue_twin",
    )
    monkeypatch.setenv("VENUE_TWIN_MQTT__PASSWORD", example["MQTT_TWIN_PASSWORD"])
    monkeypatch.setenv("VENUE_TWIN_MQTT__CLIENT_ID", example["MQTT_INGEST_CLIENT_ID"])
    monkeypatch.setenv("VENUE_TWIN_AUTH__ENABLED", "false")
    with pytest.raises(UsageError) as refused:
        serving_settings(_serve_args())
    message = str(refused.value)
    for part in ("store_url", "mqtt.password", "mqtt.client_id", "infra/env.example"):
        assert part in message
    assert EXAMPLE_MARKER not in message  # names the settings, never their values


def test_the_app_accepts_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENUE_TWIN_STORE_URL", "postgresql://venue_twin:Hk2m9vQx7Lw3@db/venue_twin")
    monkeypatch.setenv("VENUE_TWIN_MQTT__PASSWORD", GOOD["MQTT_TWIN_PASSWORD"])
    assert example_secrets_in(load_settings(None)) == []


def test_serve_exits_with_the_message_not_a_traceback(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "VENUE_TWIN_MQTT__PASSWORD": _example()["MQTT_TWIN_PASSWORD"],
        "VENUE_TWIN_AUTH__ENABLED": "false",
    }
    done = subprocess.run(
        [sys.executable, "-m", "venue_twin.cli", "serve", "--port", "0"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "refusing to start with the example values" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_device_connects_under_the_client_id_given() -> None:
    parser = argparse.ArgumentParser()
    add_broker_args(parser)
    args = parser.parse_args(["--username", "gate-1", "--client-id", "gate-1"])
    assert mqtt_config(args).resolved_client_id() == "gate-1"
    random_id = mqtt_config(parser.parse_args([])).resolved_client_id("sim")
    assert random_id.startswith("venue-twin-sim-")
