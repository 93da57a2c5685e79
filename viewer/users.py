"""The users file: names, roles and scrypt password hashes (YAML).

A password is stored as ``scrypt$N$r$p$SALT$HASH`` (salt and hash base64), with
a random 16-byte salt per user, so two users with one password differ and a
stolen file costs an attacker 16 MiB and tens of milliseconds per guess.

The file is re-read when it changes on disk, so ``venue-twin user add`` and
``remove`` take effect on a running server without a restart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from viewer.roles import Role

__all__ = [
    "User",
    "UsersError",
    "UsersFile",
    "generate_password",
    "hash_password",
    "verify_password",
]

_N, _R, _P = 2**14, 8, 1
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD = 8


class UsersError(Exception):
    """The users file is unreadable or malformed, or a user operation is invalid."""


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: Role
    password_hash: str

    @property
    def fingerprint(self) -> str:
        """Changes with the password: tokens carry it, so a new password revokes them."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:12]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def generate_password() -> str:
    """A random password for generated accounts (about 120 bits)."""
    return secrets.token_urlsafe(15)


# Verifying an unknown name still costs one scrypt, so timing does not tell
# which names exist.
_DUMMY_HASH = hash_password("not-a-real-password", salt=b"\x00" * 16)


class UsersFile:
    """The users of one YAML file, reloaded when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._users: dict[str, User] = {}
        self._stamp: tuple[int, int] | None = None

    def users(self) -> dict[str, User]:
        self._refresh()
        return dict(self._users)

    def get(self, username: str) -> User | None:
        self._refresh()
        return self._users.get(username)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password matches (slow: one scrypt), else None."""
        user = self.get(username)
        ok = verify_password(password, user.password_hash if user else _DUMMY_HASH)
        return user if ok and user is not None else None

    def add(self, username: str, role: Role, password: str, *, replace: bool = False) -> User:
        if not _NAME.match(username):
            raise UsersError(f"bad user name {username!r}: use 1-64 letters, digits, _ . @ -")
        if len(password) < MIN_PASSWORD:
            raise UsersError(f"a password has at least {MIN_PASSWORD} characters")
        users = self._read_strict()
        if username in users and not replace:
            raise UsersError(f"user {username!r} exists")
        users[username] = User(username, role, hash_password(password))
        self._write(users)
        return users[username]

    def remove(self, username: str) -> None:
        users = self._read_strict()
        if username not in users:
            raise UsersError(f"no user {username!r}")
        del users[username]
        self._write(users)

    # -- file ----------------------------------------------------------------

    def _refresh(self) -> None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._users, self._stamp = {}, None
            return
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            self._users = self._read_strict()
            self._stamp = stamp

    def _read_strict(self) -> dict[str, User]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise UsersError(f"cannot read {self.path}: {exc}") from exc
        try:
            data: Any = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise UsersError(f"{self.path}: not valid YAML: {exc}") from exc
        entries = data.get("users", {}) if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            raise UsersError(
                f"{self.path}: expected a mapping 'users: {{name: {{role, password}}}}'"
            )
        out: dict[str, User] = {}
        for name, entry in entries.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("password"), str):
                raise UsersError(f"{self.path}: user {name!r} needs 'role' and 'password'")
            try:
                role = Role(str(entry.get("role")))
            except ValueError as exc:
                raise UsersError(
                    f"{self.path}: user {name!r} has unknown role {entry.get('role')!r}"
                ) from exc
            out[str(name)] = User(str(name), role, entry["password"])
        return out

    def _write(self, users: dict[str, User]) -> None:
        body = {
            "users": {
                u.username: {"role": u.role.value, "password": u.password_hash}
                for u in sorted(users.values(), key=lambda u: u.username)
            }
        }
        text = "# venue-twin users; manage with `venue-twin user add/list/remove`\n"
        text += yaml.safe_dump(body, sort_keys=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".users-", suffix=".yaml")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._stamp = None
