"""``venue-twin user add/list/remove``: the viewer's users file; the demo's users."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from venue_twin.runner import UsageError
from venue_twin.settings import load_settings
from viewer.roles import Role
from viewer.users import UsersError, UsersFile, generate_password

__all__ = ["DEMO_USERS", "add_parsers", "ensure_demo_users"]

DEMO_USERS = (("admin", Role.ADMIN), ("operator", Role.OPERATOR), ("viewer", Role.VIEWER))
CREDENTIALS_FILE = "demo-credentials.txt"


def add_parsers(sub: Any) -> None:
    user = sub.add_parser(
        "user",
        help="manage the viewer's users (roles: viewer, operator, engineer, admin)",
        description=(
            "Add, list and remove users of the viewer. Passwords are stored as salted "
            "scrypt hashes. The file is the setting auth.users_file (or --users-file)."
        ),
        epilog=(
            "examples:\n"
            "  venue-twin user add alice --role operator --users-file /etc/venue-twin/users.yaml\n"
            "  venue-twin user add bob --role admin --password-file /run/secrets/bob\n"
            "  venue-twin user list --config site.yaml\n"
            "  venue-twin user remove alice --users-file users.yaml"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--users-file", type=Path, help="users file (default: auth.users_file)")
        p.add_argument("--config", type=Path, help="YAML settings file naming auth.users_file")

    add = actions.add_parser("add", help="add a user, or change one with --replace")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument(
        "--password-file",
        type=Path,
        help="read the password from this file (else prompt; a random one if not a terminal)",
    )
    add.add_argument("--replace", action="store_true", help="change an existing user")
    common(add)
    add.set_defaults(handler=_add)

    lst = actions.add_parser("list", help="list users and roles")
    common(lst)
    lst.set_defaults(handler=_list)

    rm = actions.add_parser("remove", help="remove a user (their tokens stop working)")
    rm.add_argument("name")
    common(rm)
    rm.set_defaults(handler=_remove)


def _users_file(args: argparse.Namespace) -> UsersFile:
    if args.users_file is not None:
        return UsersFile(args.users_file)
    try:
        settings = load_settings(args.config)
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
    if settings.auth.users_file is None:
        raise UsageError("give --users-file, or set auth.users_file (VENUE_TWIN_AUTH__USERS_FILE)")
    return UsersFile(settings.auth.users_file)


def _password(args: argparse.Namespace, console: Console) -> tuple[str, bool]:
    """The password and whether it was generated (and must be shown)."""
    if args.password_file is not None:
        try:
            return args.password_file.read_text(encoding="utf-8").strip(), False
        except OSError as exc:
            raise UsageError(f"cannot read {args.password_file}: {exc}") from exc
    if sys.stdin.isatty():
        first = getpass.getpass(f"password for {args.name}: ")
        if first != getpass.getpass("again: "):
            raise UsageError("the passwords differ")
        return first, False
    return generate_password(), True


def _add(args: argparse.Namespace, console: Console) -> int:
    users = _users_file(args)
    password, generated = _password(args, console)
    try:
        users.add(args.name, Role(args.role), password, replace=args.replace)
    except UsersError as exc:
        raise UsageError(str(exc)) from exc
    console.print(f"user {args.name} ({args.role}) saved in {users.path}")
    if generated:
        # Printed once, to stdout only; nothing else keeps it.
        print(f"{args.name} {password}")
    return 0


def _list(args: argparse.Namespace, console: Console) -> int:
    users = _users_file(args)
    try:
        found = users.users()
    except UsersError as exc:
        raise UsageError(str(exc)) from exc
    if not found:
        console.print(f"no users in {users.path}")
    for u in sorted(found.values(), key=lambda u: u.username):
        print(f"{u.username}\t{u.role.value}")
    return 0


def _remove(args: argparse.Namespace, console: Console) -> int:
    users = _users_file(args)
    try:
        users.remove(args.name)
    except UsersError as exc:
        raise UsageError(str(exc)) from exc
    console.print(f"user {args.name} removed from {users.path}")
    return 0


def ensure_demo_users(data_dir: Path) -> dict[str, str]:
    """The demo's users: created with random passwords on first start.

    Writes ``users.yaml`` (hashes) and ``demo-credentials.txt`` (``name password``
    per line, mode 0600) in ``data_dir``; returns the credentials file's content,
    or ``{}`` when the users file exists without one (the operator's own users).
    """
    users = UsersFile(data_dir / "users.yaml")
    creds_path = data_dir / CREDENTIALS_FILE
    if not users.path.exists():
        creds = {name: generate_password() for name, _ in DEMO_USERS}
        for name, role in DEMO_USERS:
            users.add(name, role, creds[name], replace=True)
        fd = os.open(creds_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.writelines(f"{name} {password}\n" for name, password in creds.items())
        return creds
    if not creds_path.exists():
        return {}
    out: dict[str, str] = {}
    for line in creds_path.read_text(encoding="utf-8").splitlines():
        name, _, password = line.strip().partition(" ")
        if name and password:
            out[name] = password
    return out
