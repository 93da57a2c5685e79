"""``venue-twin user add/list/remove`` and the demo's generated users."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from rich.console import Console

from venue_twin.commands_users import add_parsers, ensure_demo_users
from venue_twin.runner import UsageError
from viewer.roles import Role
from viewer.users import UsersFile


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    code: int = args.handler(args, Console(stderr=True))
    return code


def test_add_list_and_remove_users(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    users = tmp_path / "users.yaml"
    pw = tmp_path / "pw"
    pw.write_text("alice-password\n")
    assert (
        run(
            "user",
            "add",
            "alice",
            "--role",
            "operator",
            "--password-file",
            str(pw),
            "--users-file",
            str(users),
        )
        == 0
    )
    found = UsersFile(users).authenticate("alice", "alice-password")
    assert found is not None and found.role is Role.OPERATOR
    # Not a terminal and no password file: a random password, printed once.
    assert run("user", "add", "bob", "--role", "viewer", "--users-file", str(users)) == 0
    name, password = capsys.readouterr().out.strip().splitlines()[-1].split()
    assert name == "bob" and UsersFile(users).authenticate("bob", password) is not None
    run("user", "list", "--users-file", str(users))
    assert capsys.readouterr().out.split() == ["alice", "operator", "bob", "viewer"]
    with pytest.raises(UsageError, match="exists"):
        run("user", "add", "bob", "--role", "admin", "--users-file", str(users))
    assert run("user", "remove", "alice", "--users-file", str(users)) == 0
    assert set(UsersFile(users).users()) == {"bob"}
    with pytest.raises(UsageError, match="no user"):
        run("user", "remove", "alice", "--users-file", str(users))


def test_the_demo_creates_three_users_once_and_keeps_their_credentials(tmp_path: Path) -> None:
    creds = ensure_demo_users(tmp_path)
    assert set(creds) == {"admin", "operator", "viewer"}
    lines = (tmp_path / "demo-credentials.txt").read_text().splitlines()
    assert lines == [f"{n} {p}" for n, p in creds.items()]
    assert (tmp_path / "demo-credentials.txt").stat().st_mode & 0o077 == 0
    users = UsersFile(tmp_path / "users.yaml")
    for name, role in (("admin", Role.ADMIN), ("operator", Role.OPERATOR), ("viewer", Role.VIEWER)):
        user = users.authenticate(name, creds[name])
        assert user is not None and user.role is role
    assert ensure_demo_users(tmp_path) == creds  # a restart keeps the same users
