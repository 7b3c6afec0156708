"""The chat's socket writer: messages and read marks of many sockets stored together, each under its
own rules (membership, an active account, the text), each sender answered after the commit."""
import sqlite3
import threading
import time

import pytest
from sqlalchemy import event

from app.extensions import db, socketio
from app.models import AuditEvent, DialogMember, TmkUser, utcnow
from app.realtime.chat import NAMESPACE
from app.realtime.chat_writer import writer_of
from app.workflow import chat
from tests.conftest import login, make_app
from tests.requests_helpers import new_request, user


@pytest.fixture()
def app(app):
    """A fresh app over the same database (the process serves sockets for the app built last)."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture()
def request_id(app):
    with app.app_context():
        return new_request().id


def ids_of(app, *usernames):
    with app.app_context():
        return [user(name).id for name in usernames]


def at_once(calls):
    """Run the calls in threads released together; their results in order."""
    start, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        start.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def stored(app, request_id):
    with app.app_context():
        dialog = chat.dialog_of(db.session, request_id)
        return [(m.id, m.author_id, m.text, m.client_id) for m in chat.history(db.session, dialog, limit=500)
                if m.kind == "text"]


def test_concurrent_sends_are_stored_once_each_in_fewer_commits(app, request_id):
    author, admin = ids_of(app, "requester1", "moadmin1")
    writer, commits = writer_of(app), []
    with app.app_context():
        engine = db.engine

    def count(connection):
        commits.append(1)

    event.listen(engine, "commit", count)
    try:
        calls = [lambda i=i: writer.send((author, admin)[i % 2], request_id, f"Сообщение {i}", f"burst-{i}")
                 for i in range(40)]
        calls += [lambda: writer.send(author, request_id, "Сообщение 0", "burst-0")]  # a retry in the same burst
        answers = at_once(calls)
    finally:
        event.remove(engine, "commit", count)
    assert all(answer["ok"] for answer in answers), answers
    assert answers[-1]["message"]["id"] == answers[0]["message"]["id"]
    rows = stored(app, request_id)
    assert len(rows) == 40 and len({row[0] for row in rows}) == 40
    by_client = {row[3]: row for row in rows}
    for i, answer in enumerate(answers[:40]):
        message = answer["message"]
        assert by_client[f"burst-{i}"][0] == message["id"]
        assert (message["text"], message["author"]["id"]) == (f"Сообщение {i}", (author, admin)[i % 2])
    # many messages a transaction: fewer commits than messages
    assert 1 <= len(commits) < 40
    # each author's read mark is at his last message
    with app.app_context():
        dialog = chat.dialog_of(db.session, request_id)
        marks = dict(db.session.query(DialogMember.user_id, DialogMember.last_read_message_id)
                     .filter_by(dialog_id=dialog.id))
    assert marks[author] == max(row[0] for row in rows if row[1] == author)
    assert marks[admin] == max(row[0] for row in rows if row[1] == admin)


def test_each_write_of_a_batch_keeps_its_own_rules(app, request_id):
    author, stranger, removed, inactive = ids_of(app, "requester1", "consultant3", "moadmin1", "moadmin2")
    with app.app_context():
        dialog = chat.dialog_of(db.session, request_id)
        db.session.query(DialogMember).filter_by(dialog_id=dialog.id, user_id=removed).one().removed_at = utcnow()
        db.session.get(TmkUser, inactive).active = False
        db.session.commit()
    writer = writer_of(app)
    try:
        answers = at_once([
            lambda: writer.send(author, request_id, "Вопрос по ЭКГ\x00", "rules-1"),
            lambda: writer.send(author, request_id, "   ", "rules-2"),
            lambda: writer.send(author, request_id, "x" * (chat.MAX_TEXT + 1), "rules-3"),
            lambda: writer.send(stranger, request_id, "Чужой", "rules-4", remote_addr="10.1.2.3"),
            lambda: writer.send(removed, request_id, "Исключённый", "rules-5"),
            lambda: writer.send(inactive, request_id, "Заблокированный", "rules-6"),
        ])
    finally:
        with app.app_context():
            db.session.get(TmkUser, inactive).active = True
            db.session.commit()
    assert answers[0]["ok"] and answers[0]["message"]["text"] == "Вопрос по ЭКГ"
    assert answers[1] == {"ok": False, "error": "Сообщение пустое"}
    assert answers[2]["ok"] is False and str(chat.MAX_TEXT) in answers[2]["error"]
    assert answers[3:] == [{"ok": False, "error": "Такого чата нет"}] * 3
    assert [row[2] for row in stored(app, request_id)] == ["Вопрос по ЭКГ"]
    with app.app_context():
        denied = db.session.query(AuditEvent).filter_by(action="read_denied", object_type="dialog",
                                                        object_id=str(request_id)).all()
        assert {(e.user_id, e.remote_addr) for e in denied} >= {(stranger, "10.1.2.3"), (removed, None)}


def socket_for(app, username):
    http = login(app.test_client(), username)
    return socketio.test_client(app, namespace=NAMESPACE, flask_test_client=http)


def test_a_sockets_read_mark_is_stored_and_a_strangers_is_not(app, request_id):
    with app.app_context():
        dialog = chat.dialog_of(db.session, request_id)
        posted = chat.post_message(db.session, dialog, user("moadmin1"), "Прочтите, пожалуйста")
        db.session.commit()
        message_id, author = posted.id, user("requester1")
        assert chat.unread_counts(db.session, author).get(dialog.id, 0) >= 1
    reader, stranger = socket_for(app, "requester1"), socket_for(app, "consultant3")
    stranger.emit("read", {"request_id": request_id, "message_id": message_id}, namespace=NAMESPACE)
    reader.emit("read", {"request_id": request_id, "message_id": message_id}, namespace=NAMESPACE)
    deadline = time.monotonic() + 5  # nobody waits for a read mark: it is stored by the writer shortly
    while True:
        with app.app_context():
            if chat.unread_counts(db.session, user("requester1")).get(dialog.id, 0) == 0:
                break
        assert time.monotonic() < deadline, "the read mark was not stored"
        time.sleep(0.05)
    with app.app_context():
        assert db.session.query(DialogMember).filter_by(dialog_id=dialog.id, user_id=user("consultant3").id).count() == 0
        assert db.session.query(AuditEvent).filter_by(action="read_denied", object_type="dialog",
                                                      object_id=str(request_id),
                                                      user_id=user("consultant3").id).count() >= 1


def test_a_database_that_cannot_write_answers_every_sender_and_a_retry_is_stored_once(app, request_id):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        pytest.skip("SQLite only: another process holds its write lock")
    impatient = make_app(url, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 0.3}})
    author, admin = ids_of(impatient, "requester1", "moadmin1")
    writer = writer_of(impatient)
    outside = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    outside.execute("BEGIN IMMEDIATE")  # another process holds the database
    try:
        answers = at_once([lambda: writer.send(author, request_id, "Первое", "locked-1"),
                           lambda: writer.send(admin, request_id, "Второе", "locked-2")])
    finally:
        outside.execute("ROLLBACK")
        outside.close()
    assert answers == [{"ok": False, "error": "Сообщение не удалось сохранить, попробуйте ещё раз"}] * 2
    assert stored(impatient, request_id) == []
    again = [writer.send(author, request_id, "Первое", "locked-1") for _ in range(2)]
    assert again[0]["ok"] and again[0]["message"]["id"] == again[1]["message"]["id"]
    assert [row[2] for row in stored(impatient, request_id)] == ["Первое"]
