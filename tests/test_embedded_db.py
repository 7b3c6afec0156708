"""The embedded SQLite's connections: the writers of one process queue on one lock, which a transaction
takes at its first write and gives back however it ends."""
import sqlite3
import threading

import pytest

from app.embedded_db import SerializedWriteConnection, _writer


@pytest.fixture()
def path(tmp_path):
    database = tmp_path / "writers.db"
    with sqlite3.connect(database) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
    return database


def connect(path, timeout=5.0):
    return sqlite3.connect(path, timeout=timeout, factory=SerializedWriteConnection, check_same_thread=False)


@pytest.mark.parametrize("ending", ["commit", "rollback", "close"])
def test_the_lock_is_taken_at_the_first_write_and_given_back_at_the_end(path, ending):
    connection = connect(path)
    connection.execute("SELECT count(*) FROM note").fetchall()
    assert not connection.holds_write_lock and not _writer.locked()  # reading takes nothing
    connection.cursor().execute("INSERT INTO note (text) VALUES ('a')")
    connection.execute("  update note SET text = 'b'")
    assert connection.holds_write_lock and _writer.locked()
    getattr(connection, ending)()
    assert not _writer.locked()
    if ending != "close":
        assert not connection.holds_write_lock
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
    assert not _writer.locked()


def test_a_writer_that_waits_too_long_gets_sqlites_own_answer(path):
    """Bounded like SQLite's busy wait: past the timeout the usual «database is locked», not a hang."""
    holder, waiter = connect(path), connect(path, timeout=0.2)
    holder.execute("INSERT INTO note (text) VALUES ('held')")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            waiter.execute("INSERT INTO note (text) VALUES ('waits')")
        assert not waiter.holds_write_lock
    finally:
        holder.rollback()
        holder.close()
        waiter.close()
    assert not _writer.locked()
