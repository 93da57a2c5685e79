"""HMAC-signed, expiring bearer tokens.

A token is ``base64url(payload).base64url(HMAC-SHA256(secret, payload))`` with
the payload ``{"sub", "exp", "fp"}``: the user, the expiry (epoch seconds) and
a fingerprint of the user's password hash, so changing a password revokes the
old tokens. The role is not in the token: it is looked up on every use, so a
changed or removed user takes effect at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TokenClaims", "TokenError", "TokenSigner", "load_or_create_secret"]

MIN_SECRET_BYTES = 16


class TokenError(Exception):
    """A token is malformed, forged or expired (the message never repeats the token)."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    username: str
    expires_at: float
    fingerprint: str


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise TokenError(f"the token secret needs at least {MIN_SECRET_BYTES} bytes")
        self._key = secret

    def issue(self, username: str, fingerprint: str, expires_at: float) -> str:
        payload = json.dumps(
            {"sub": username, "exp": round(expires_at, 3), "fp": fingerprint},
            separators=(",", ":"),
        ).encode()
        body = _b64e(payload)
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str, now: float) -> TokenClaims:
        body, dot, sig = token.partition(".")
        if not dot or len(token) > 1024:
            raise TokenError("malformed token")
        if not hmac.compare_digest(sig, self._sign(body)):
            raise TokenError("bad token signature")
        try:
            data = json.loads(_b64d(body))
            claims = TokenClaims(str(data["sub"]), float(data["exp"]), str(data["fp"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise TokenError("malformed token") from exc
        if claims.expires_at <= now:
            raise TokenError("token expired")
        return claims

    def _sign(self, body: str) -> str:
        return _b64e(hmac.new(self._key, body.encode(), hashlib.sha256).digest())


def load_or_create_secret(path: Path) -> bytes:
    """The secret in ``path``; a new random one (mode 0600) if the file does not exist."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = path.open("x", encoding="ascii")
        with fd:
            path.chmod(0o600)
            fd.write(secrets.token_hex(32) + "\n")
    secret = path.read_text(encoding="ascii").strip().encode()
    if len(secret) < MIN_SECRET_BYTES:
        raise TokenError(f"{path}: the token secret needs at least {MIN_SECRET_BYTES} bytes")
    return secret
