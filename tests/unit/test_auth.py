"""Passwords, tokens and the authenticator: what a login proves and for how long."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.auth import Authenticator, AuthError
from viewer.roles import Principal, Role
from viewer.tokens import TokenError, TokenSigner, load_or_create_secret
from viewer.users import UsersError, UsersFile, hash_password, verify_password

SECRET = b"0123456789abcdef-secret"


def test_password_hashes_are_salted_per_user_and_verify() -> None:
    a, b = hash_password("correct horse"), hash_password("correct horse")
    assert a != b  # per-user salt
    assert a.startswith("scrypt$")
    assert verify_password("correct horse", a)
    assert not verify_password("correct hors", a)
    assert not verify_password("x", "garbage")


def test_users_file_round_trip_stores_no_plain_password(tmp_path: Path) -> None:
    users = UsersFile(tmp_path / "users.yaml")
    users.add("alice", Role.OPERATOR, "s3cret-pass")
    text = (tmp_path / "users.yaml").read_text()
    assert "s3cret-pass" not in text
    assert (tmp_path / "users.yaml").stat().st_mode & 0o077 == 0
    again = UsersFile(tmp_path / "users.yaml")
    assert again.authenticate("alice", "s3cret-pass") is not None
    assert again.authenticate("alice", "wrong-pass") is None
    assert again.authenticate("nobody", "s3cret-pass") is None
    with pytest.raises(UsersError, match="exists"):
        users.add("alice", Role.ADMIN, "another-pass")
    with pytest.raises(UsersError, match="at least"):
        users.add("bob", Role.ADMIN, "short")
    with pytest.raises(UsersError, match="bad user name"):
        users.add("bad name", Role.ADMIN, "long-enough")
    users.remove("alice")
    assert again.get("alice") is None  # reloaded from disk


def test_a_malformed_users_file_is_an_error_not_an_empty_list(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    path.write_text("users:\n  eve: {role: god, password: x}\n")
    with pytest.raises(UsersError, match="unknown role"):
        UsersFile(path).users()


def test_tokens_expire_and_resist_tampering() -> None:
    signer = TokenSigner(SECRET)
    token = signer.issue("alice", "fp", expires_at=1000.0)
    assert signer.verify(token, now=999.0).username == "alice"
    with pytest.raises(TokenError, match="expired"):
        signer.verify(token, now=1000.0)
    sig = token.split(".")[1]
    forged = signer.issue("mallory", "fp", expires_at=1000.0).split(".")[0] + "." + sig
    with pytest.raises(TokenError, match="signature"):
        signer.verify(forged, now=1.0)
    with pytest.raises(TokenError):
        TokenSigner(b"another-secret-0123").verify(token, now=1.0)
    with pytest.raises(TokenError, match="malformed"):
        signer.verify("no-dot", now=1.0)
    with pytest.raises(TokenError):
        TokenSigner(b"short")


def test_secret_file_is_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    first = load_or_create_secret(path)
    assert load_or_create_secret(path) == first
    assert path.stat().st_mode & 0o077 == 0


async def test_login_gives_a_token_that_proves_the_current_role(tmp_path: Path) -> None:
    now = [100.0]
    users = UsersFile(tmp_path / "users.yaml")
    users.add("alice", Role.OPERATOR, "alice-pass-1")
    auth = Authenticator(users, TokenSigner(SECRET), token_ttl_s=60.0, clock=lambda: now[0])
    login = await auth.login("alice", "alice-pass-1")
    assert login.expires_at == 160.0
    assert auth.verify(login.token) == Principal("alice", Role.OPERATOR)
    with pytest.raises(AuthError, match="wrong user name or password"):
        await auth.login("alice", "nope-nope")
    # A role change applies to existing tokens at once.
    users.add("alice", Role.VIEWER, "alice-pass-1", replace=True)
    with pytest.raises(AuthError, match="revoked"):
        auth.verify(login.token)  # a new password hash revokes old tokens
    login = await auth.login("alice", "alice-pass-1")
    assert auth.verify(login.token).role is Role.VIEWER
    users.remove("alice")
    with pytest.raises(AuthError, match="revoked"):
        auth.verify(login.token)
    now[0] = 1000.0
    with pytest.raises(AuthError, match="expired"):
        Authenticator(users, TokenSigner(SECRET), clock=lambda: now[0]).verify(
            TokenSigner(SECRET).issue("alice", "x", 999.0)
        )
    with pytest.raises(AuthError, match="missing"):
        auth.verify(None)


def test_disabled_authentication_makes_everyone_an_anonymous_admin() -> None:
    auth = Authenticator(None, None)
    assert not auth.enabled
    assert auth.verify(None).role is Role.ADMIN
