"""Test databases: a SQLite file always, PostgreSQL when TEST_DATABASE_URL is set.

Each app fixture gets a database of its own, so a test run never touches data it did not make.
"""
import os
import uuid

import sqlalchemy as sa

from config import sqlalchemy_url


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


def _server_url() -> sa.URL:
    return sa.make_url(sqlalchemy_url(os.environ["TEST_DATABASE_URL"]))


def _execute_on_server(statement: str) -> None:
    engine = sa.create_engine(_server_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(statement))
    engine.dispose()


def fresh_database(backend: str, folder) -> str:
    """The URL of a new, empty database of that backend."""
    if backend == "sqlite":
        return f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}"
    name = f"tmk_test_{uuid.uuid4().hex[:12]}"
    _execute_on_server(f'CREATE DATABASE "{name}"')
    return _server_url().set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        _execute_on_server(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
