"""The embedded SQLite database: its connections and what they do differently from PostgreSQL's.

SQLite has one writer at a time. A connection that finds the write lock taken does not wait in a queue:
its busy handler sleeps 1, 2, 5, 10 … 100 ms and tries again. With many threads of this process
writing at once (the chat under load: 100 senders) most of them slept while the lock was free and the
chat went 8 times slower than a bare Socket.IO relay (bench/socket_bench.py). So inside a process the
writers queue on one lock, taken before a transaction's first write and given back when it ends, and
the next one is woken the moment the last commits; SQLite's own lock still guards against other
processes (a command run beside the server).
"""
import functools
import json
import re
import sqlite3
import threading

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

# pysqlite opens a transaction before these statements, and only before these (Python 3.11)
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_writer = threading.Lock()


class _Cursor(sqlite3.Cursor):
    def execute(self, sql, parameters=()):
        self.connection.take_write_lock(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        self.connection.take_write_lock(sql)
        return super().executemany(sql, seq_of_parameters)


class SerializedWriteConnection(sqlite3.Connection):
    """A connection that takes this process's write lock before it starts writing."""

    holds_write_lock = False

    def __init__(self, database, timeout=5.0, *args, **kwargs):
        super().__init__(database, timeout, *args, **kwargs)
        self.busy_seconds = timeout

    def take_write_lock(self, sql: str) -> None:
        if not self.holds_write_lock and _WRITE.match(sql):
            # bounded as SQLite's own wait is: past it, SQLite answers «database is locked» as before
            self.holds_write_lock = _writer.acquire(timeout=self.busy_seconds)

    def _give_back(self) -> None:
        if self.holds_write_lock:
            self.holds_write_lock = False
            _writer.release()

    def cursor(self, factory=_Cursor):
        return super().cursor(factory)

    def execute(self, sql, parameters=()):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        return self.cursor().executemany(sql, seq_of_parameters)

    def commit(self):
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self):
        try:
            super().close()
        finally:
            self._give_back()


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def prepare_connection(connection, _record) -> None:
    """A write-ahead log, so that a page being read no longer blocks a message being stored and a commit
    costs one fsync instead of several (synchronous stays FULL: nothing committed is lost on a power cut);
    and a lower() that knows Cyrillic — SQLite's folds ASCII only, so a search for «иванов» (ilike is
    lower() LIKE lower()) did not find «Иванов». Foreign keys are enforced as on PostgreSQL (SQLite's
    default is off): a deleted account's id would otherwise go to the next account, with the requests and
    messages still pointing at it (migrations/env.py turns them off while a migration rebuilds tables)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    connection.create_function("lower", 1, _lower, deterministic=True)


def rows_at_once(session: Session, statement: Select, params: dict | None = None) -> list[tuple]:
    """The statement's rows, for a thread that must not wait: SQLite's driver gives the GIL back at
    every row it steps to, and in a process with a thousand socket threads each give-back is a wait
    for the GIL to come back — a hundred rows cost the chat's writer a hundred waits (bench/). There
    they come back packed in one JSON value, one step; other databases' drivers receive a result in
    one read and return it as it is. Only for columns JSON keeps as they are: numbers, text, null.
    The statement is built once, its values are params: its packed form is made once too."""
    if session.get_bind().dialect.name != "sqlite":
        return [tuple(row) for row in session.execute(statement, params)]
    return [tuple(row) for row in json.loads(session.execute(_packed(statement), params).scalar_one())]


@functools.lru_cache(maxsize=16)
def _packed(statement: Select) -> Select:
    rows = statement.subquery()
    return select(func.json_group_array(func.json_array(*rows.c)))


def engine_options() -> dict:
    return {"connect_args": {"factory": SerializedWriteConnection}}
