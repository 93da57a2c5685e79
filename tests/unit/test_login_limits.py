"""Login throttling (issue 17 item 12): per account, per address, bounded scrypt work.

Before it, every attempt ran one 16 MiB scrypt at once, without limit, and
a password could be guessed as fast as the server could hash.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.unit.test_viewer_support import PASSWORDS, Rig, app_of, make_rig
from viewer.auth import AuthError
from viewer.login_limits import LoginLimiter, LoginPolicy, TooManyAttempts
from viewer.users import UsersFile


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    return make_rig(tmp_path)


def _limit(rig: Rig, policy: LoginPolicy, clock: Clock) -> None:
    rig.ctx.auth.limiter = LoginLimiter(policy, clock=clock)


def _login(c: TestClient, name: str, password: str) -> httpx.Response:
    return c.post("/api/auth/login", json={"username": name, "password": password})


def test_an_account_is_locked_after_failures_and_says_when_to_retry(rig: Rig) -> None:
    clock = Clock()
    _limit(rig, LoginPolicy(per_account=3, per_address=100, window_s=60), clock)
    with TestClient(app_of(rig)) as c:
        for _ in range(3):
            assert _login(c, "ada", "wrong-password").status_code == 401
        locked = _login(c, "ada", PASSWORDS["ada"][1])  # even the right password waits
        assert locked.status_code == 429, locked.text
        assert locked.headers["Retry-After"] == "60"
        assert "too many failed logins" in locked.json()["detail"]
        # Another account from the same address is not affected.
        assert _login(c, "olga", PASSWORDS["olga"][1]).status_code == 200
        clock.now += 30
        assert _login(c, "ada", PASSWORDS["ada"][1]).headers["Retry-After"] == "30"
        clock.now += 31
        assert _login(c, "ada", PASSWORDS["ada"][1]).status_code == 200


def test_a_success_clears_the_accounts_failures(rig: Rig) -> None:
    _limit(rig, LoginPolicy(per_account=3, per_address=100), Clock())
    with TestClient(app_of(rig)) as c:
        for _ in range(2):
            assert _login(c, "ada", "wrong-password").status_code == 401
        assert _login(c, "ada", PASSWORDS["ada"][1]).status_code == 200
        for _ in range(2):
            assert _login(c, "ada", "wrong-password").status_code == 401
        assert _login(c, "ada", PASSWORDS["ada"][1]).status_code == 200


def test_one_address_trying_many_accounts_is_throttled(rig: Rig) -> None:
    clock = Clock()
    _limit(rig, LoginPolicy(per_account=100, per_address=4, window_s=120), clock)
    with TestClient(app_of(rig)) as c:
        for i in range(4):
            assert _login(c, f"guess-{i}", "wrong-password").status_code == 401
        refused = _login(c, "olga", PASSWORDS["olga"][1])
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "120"
        assert "address" in refused.json()["detail"]
        clock.now += 121
        assert _login(c, "olga", PASSWORDS["olga"][1]).status_code == 200


def test_unknown_names_and_addresses_are_remembered_within_a_bound() -> None:
    limiter = LoginLimiter(LoginPolicy(max_tracked=100), clock=Clock())
    for i in range(5000):
        limiter.admit(f"user-{i}", f"10.0.{i // 256}.{i % 256}")
        limiter.failed(f"user-{i}", f"10.0.{i // 256}.{i % 256}")
    assert limiter.tracked <= 200


async def test_a_burst_of_logins_hashes_a_bounded_number_at_once(rig: Rig) -> None:
    """200 concurrent logins: at most 2 scrypts at once, 16 waiting, the rest 429 at once."""
    users = rig.ctx.auth.users
    assert isinstance(users, UsersFile)
    running = peak = 0
    lock = threading.Lock()
    real = users.authenticate

    def counted(name: str, password: str) -> object:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            return real(name, password)
        finally:
            with lock:
                running -= 1

    users.authenticate = counted  # type: ignore[method-assign]
    policy = LoginPolicy(per_account=10_000, per_address=10_000, max_hashing=2, max_waiting=16)
    rig.ctx.auth.limiter = LoginLimiter(policy)
    transport = httpx.ASGITransport(app=app_of(rig))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        answers = await asyncio.gather(
            *(
                c.post("/api/auth/login", json={"username": f"u{i}", "password": "wrong-pass"})
                for i in range(200)
            )
        )
    codes = [a.status_code for a in answers]
    assert peak <= 2
    assert codes.count(401) >= 2 and codes.count(401) <= 2 + 16
    busy = [a for a in answers if a.status_code == 429]
    assert len(busy) == 200 - codes.count(401)
    assert all(a.headers["Retry-After"] == "1" for a in busy)
    # Once the burst is over the server hashes again.
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        ok = await c.post(
            "/api/auth/login", json={"username": "ada", "password": PASSWORDS["ada"][1]}
        )
    assert ok.status_code == 200


async def test_the_limiter_refuses_before_hashing(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    auth = rig.ctx.auth
    auth.limiter = LoginLimiter(LoginPolicy(per_account=1), clock=Clock())
    with pytest.raises(AuthError):
        await auth.login("ada", "wrong-password", address="192.0.2.1")
    calls = []
    users = auth.users
    assert users is not None
    users.authenticate = lambda *a: calls.append(a)  # type: ignore[method-assign,func-returns-value]
    with pytest.raises(TooManyAttempts):
        await auth.login("ada", PASSWORDS["ada"][1], address="192.0.2.2")
    assert calls == []
