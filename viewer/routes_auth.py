"""POST /api/auth/login and GET /api/auth/me."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request

from viewer.auth import AuthError, RoleGuard
from viewer.login_limits import TooManyAttempts
from viewer.roles import Principal, Role
from viewer.schemas import LoginIn, LoginOut, Me

__all__ = ["auth_router"]


def auth_router(guard: RoleGuard) -> APIRouter:
    r = APIRouter(prefix="/api/auth", tags=["auth"])
    auth = guard.auth

    @r.post(
        "/login",
        response_model=LoginOut,
        responses={
            401: {"description": "Wrong user name or password."},
            429: {"description": "Too many attempts; the Retry-After header says when to retry."},
        },
    )
    async def login(body: LoginIn, request: Request) -> dict[str, Any]:
        """Exchange a user name and password for a bearer token."""
        if not auth.enabled:
            raise HTTPException(404, "authentication is disabled on this server")
        address = request.client.host if request.client is not None else None
        try:
            got = await auth.login(body.username, body.password, address=address)
        except TooManyAttempts as exc:
            retry = {"Retry-After": str(exc.retry_after_s)}
            raise HTTPException(429, str(exc), headers=retry) from exc
        except AuthError as exc:
            raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from exc
        return {
            "token": got.token,
            "username": got.principal.username,
            "role": got.principal.role.value,
            "expires_at": got.expires_at,
        }

    @r.get("/me", response_model=Me)
    async def me(
        who: Annotated[Principal, Depends(guard.require(Role.VIEWER))],
    ) -> dict[str, Any]:
        """The user the token belongs to, with their role."""
        return {"username": who.username, "role": who.role.value}

    return r
