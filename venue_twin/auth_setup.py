"""The viewer's authenticator from the auth settings, checked before anything starts."""

from __future__ import annotations

import logging
import secrets

from venue_twin.settings import AuthConfig
from viewer.auth import Authenticator
from viewer.tokens import TokenError, TokenSigner, load_or_create_secret
from viewer.users import UsersError, UsersFile

__all__ = ["AuthSetupError", "build_authenticator"]

log = logging.getLogger(__name__)


class AuthSetupError(ValueError):
    """The auth settings cannot work (no users file, unreadable secret...)."""


def build_authenticator(cfg: AuthConfig) -> Authenticator:
    """The authenticator the settings describe; checks the users file at once."""
    if not cfg.enabled:
        log.warning("authentication is disabled: anyone who reaches the viewer is an admin")
        return Authenticator(None, None)
    if cfg.users_file is None:
        raise AuthSetupError(
            "authentication is on but auth.users_file is not set; create users with "
            "`venue-twin user add NAME --role admin --users-file FILE` and set "
            "VENUE_TWIN_AUTH__USERS_FILE=FILE (or auth.enabled: false for a closed network)"
        )
    users = UsersFile(cfg.users_file)
    try:
        if not users.users():
            raise AuthSetupError(
                f"{cfg.users_file} has no users; add one with "
                f"`venue-twin user add NAME --role admin --users-file {cfg.users_file}`"
            )
        if cfg.secret is not None:
            secret = cfg.secret.get_secret_value().encode()
        elif cfg.secret_file is not None:
            secret = load_or_create_secret(cfg.secret_file)
        else:
            # Tokens then die with the process: fine, users log in again.
            log.warning("no auth.secret or auth.secret_file: tokens end at restart")
            secret = secrets.token_bytes(32)
        signer = TokenSigner(secret)
    except (UsersError, TokenError, OSError) as exc:
        raise AuthSetupError(str(exc)) from exc
    return Authenticator(users, signer, token_ttl_s=cfg.token_ttl_s)
