"""Root pytest configuration: service fixtures shared by every test folder."""

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.mosquitto",
]
