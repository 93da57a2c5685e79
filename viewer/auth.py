"""Authentication: password login, token verification and role checks.

REST requests carry ``Authorization: Bearer <token>``; WebSocket clients send
the token in their first frame (never in a URL, which ends up in logs). With
authentication disabled every caller is an anonymous admin.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from viewer.login_limits import LoginLimiter, LoginPolicy
from viewer.roles import Principal, Role
from viewer.tokens import TokenError, TokenSigner
from viewer.users import UsersError, UsersFile

__all__ = [
    "ANONYMOUS",
    "AuthError",
    "Authenticator",
    "Login",
    "RoleGuard",
    "Session",
    "bearer",
]

log = logging.getLogger(__name__)

ANONYMOUS = Principal("anonymous", Role.ADMIN)

bearer = HTTPBearer(auto_error=False, description="A token from POST /api/auth/login.")


class AuthError(Exception):
    """Authentication failed; the message is safe to show (no token, no password)."""


@dataclass(frozen=True, slots=True)
class Session:
    """What a token proves now: who, and until when (epoch seconds)."""

    principal: Principal
    expires_at: float


@dataclass(frozen=True, slots=True)
class Login:
    token: str
    principal: Principal
    expires_at: float


class Authenticator:
    """Users file + token signer; ``users=None`` disables authentication."""

    def __init__(
        self,
        users: UsersFile | None,
        signer: TokenSigner | None,
        *,
        token_ttl_s: float = 12 * 3600.0,
        clock: Callable[[], float] = time.time,
        login_policy: LoginPolicy | None = None,
    ) -> None:
        if (users is None) != (signer is None):
            raise AuthError("authentication needs both a users file and a token secret")
        self.users = users
        self._signer = signer
        self._ttl = token_ttl_s
        self._clock = clock
        self.limiter = LoginLimiter(login_policy)

    @property
    def enabled(self) -> bool:
        return self.users is not None

    async def login(self, username: str, password: str, *, address: str | None = None) -> Login:
        """A token for a right password; :class:`TooManyAttempts` when throttled."""
        if self.users is None or self._signer is None:
            raise AuthError("authentication is disabled")
        users = self.users
        self.limiter.admit(username, address)
        # scrypt takes tens of milliseconds and 16 MiB: off the event loop, a
        # bounded number at once.
        async with self.limiter.hashing_slot():
            try:
                user = await asyncio.to_thread(users.authenticate, username, password)
            except UsersError as exc:
                log.error("users file: %s", exc)
                raise AuthError("the users file is unreadable") from exc
        if user is None:
            self.limiter.failed(username, address)
            log.warning("failed login for user %r from %s", username[:64], address)
            raise AuthError("wrong user name or password")
        self.limiter.succeeded(username)
        expires = self._clock() + self._ttl
        token = self._signer.issue(user.username, user.fingerprint, expires)
        return Login(token, Principal(user.username, user.role), expires)

    def verify(self, token: str | None) -> Principal:
        """The principal a token proves; raises :class:`AuthError`."""
        return self.session(token).principal

    def session(self, token: str | None) -> Session:
        """The principal a token proves and when the token expires; raises :class:`AuthError`."""
        if self.users is None or self._signer is None:
            return Session(ANONYMOUS, math.inf)
        if not token:
            raise AuthError("missing token")
        try:
            claims = self._signer.verify(token, self._clock())
            user = self.users.get(claims.username)
        except TokenError as exc:
            raise AuthError(str(exc)) from exc
        except UsersError as exc:
            log.error("users file: %s", exc)
            raise AuthError("the users file is unreadable") from exc
        if user is None:
            raise AuthError("token revoked: the user was removed")
        if user.fingerprint != claims.fingerprint:
            raise AuthError("token revoked: the password changed")
        return Session(Principal(user.username, user.role), claims.expires_at)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


class RoleGuard:
    """FastAPI dependencies: ``Depends(guard.require(Role.OPERATOR))``."""

    def __init__(self, auth: Authenticator) -> None:
        self.auth = auth
        self._deps = {role: self._make(role) for role in Role}

    def require(self, role: Role) -> Callable[..., Awaitable[Principal]]:
        return self._deps[role]

    def _make(self, role: Role) -> Callable[..., Awaitable[Principal]]:
        auth = self.auth

        async def dependency(credentials: Credentials) -> Principal:
            token = credentials.credentials if credentials is not None else None
            try:
                principal = auth.verify(token)
            except AuthError as exc:
                raise HTTPException(
                    401, f"not authenticated: {exc}", headers={"WWW-Authenticate": "Bearer"}
                ) from exc
            if not principal.role.allows(role):
                has = f"{principal.username} is {principal.role.value}"
                raise HTTPException(403, f"this needs the {role.value} role; {has}")
            return principal

        dependency.__name__ = f"require_{role.value}"
        return dependency
