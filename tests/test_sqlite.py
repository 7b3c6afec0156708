"""The embedded SQLite's connections as the app sets them up (app.extensions.prepare_sqlite): the writers
of one process may write at once and all succeed, and one that waits too long gets SQLite's own answer."""
import sqlite3
import threading

import pytest

from app.extensions import prepare_sqlite


@pytest.fixture()
def path(tmp_path):
    database = tmp_path / "writers.db"
    with sqlite3.connect(database) as setup:
        setup.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
    return database


def connect(path, timeout=5.0):
    connection = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
    prepare_sqlite(connection, None)
    return connection


def test_a_connection_logs_ahead_enforces_foreign_keys_and_lowers_cyrillic(path):
    connection = connect(path)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert connection.execute("SELECT lower('ИВАНОВ Ivan')").fetchone() == ("иванов ivan",)
    finally:
        connection.close()


def test_many_threads_writing_at_once_all_succeed(path):
    failures, start = [], threading.Barrier(8)

    def write(n):
        connection = connect(path)
        start.wait()
        try:
            for i in range(25):
                connection.execute("INSERT INTO note (text) VALUES (?)", (f"{n}-{i}",))
                connection.commit()
        except sqlite3.Error as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM note").fetchone() == (200,)


def test_a_writer_that_waits_too_long_gets_sqlites_own_answer(path):
    """Bounded by the connection's timeout: past it the usual «database is locked», not a hang."""
    holder, waiter = connect(path), connect(path, timeout=0.2)
    holder.execute("INSERT INTO note (text) VALUES ('held')")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            waiter.execute("INSERT INTO note (text) VALUES ('waits')")
    finally:
        holder.rollback()
        holder.close()
        waiter.close()
