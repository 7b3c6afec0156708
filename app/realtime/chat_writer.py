"""What the chat's sockets write — messages and read marks — stored by one writer per process.

A socket's «send» is handed to the writer and answered when its message is committed; what arrives
while the writer is storing is stored together in its next transaction: one membership query, one
commit and one wake-up of the database for many messages (a database's group commit). Its one thread
is also the queue of the chat's writes: SQLite takes one writer at a time, and connections that find
it taken sleep in its busy handler instead of queueing. The figures: bench/README.md.
The rules stay per message: each is checked against its author's membership and stored with
app.workflow.chat.post_messages before it is acknowledged or broadcast (persist first, then notify).
"""
import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from flask import Flask
from flask_babel import gettext as _

from app.extensions import db
from app.models import TmkUser
from app.schemas.dumps import message_json
from app.security.audit import audit
from app.security.chat import memberships
from app.workflow import chat
from app.core.errors import WorkflowError

log = logging.getLogger(__name__)
MAX_BATCH = 200
ACK_TIMEOUT_SECONDS = 30


@dataclass
class _Write:
    user_id: int
    request_id: int
    remote_addr: str | None
    text: str = ""
    client_id: str | None = None
    read_up_to: int | None = None  # a read mark instead of a message
    answer: Future | None = field(default=None)

    @property
    def pair(self) -> tuple[int, int]:
        return self.user_id, self.request_id


class ChatWriter:
    def __init__(self, app: Flask) -> None:
        self.app, self.pending, self._started, self._lock = app, queue.Queue(), False, threading.Lock()

    def send(self, user_id: int, request_id: int, text: str, client_id: str | None, remote_addr=None) -> dict:
        """Store a message; the answer is the socket's acknowledgement ({"ok": …, "message"|"error": …})."""
        write = _Write(user_id, request_id, remote_addr, text=text, client_id=client_id, answer=Future())
        self._put(write)
        try:
            return write.answer.result(timeout=ACK_TIMEOUT_SECONDS)
        except TimeoutError:  # stored or not, the client sends it again under the same id: kept once
            return {"ok": False, "error": _("The message could not be saved, try again")}

    def mark_read(self, user_id: int, request_id: int, message_id: int, remote_addr=None) -> None:
        """Move the read mark; nobody waits for it."""
        self._put(_Write(user_id, request_id, remote_addr, read_up_to=message_id))

    def _put(self, write: _Write) -> None:
        if not self._started:
            with self._lock:
                if not self._started:
                    threading.Thread(target=self._run, name="tmk-chat-writer", daemon=True).start()
                    self._started = True
        self.pending.put(write)

    def _run(self) -> None:
        while True:
            batch = [self.pending.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self.pending.get_nowait())
                except queue.Empty:
                    break
            try:
                # message_json formats times and links as a page would, for the portal's public address
                with self.app.test_request_context(base_url=self.app.config["TMK_BASE_URL"]):
                    self._store_batch(batch)
            except Exception:  # the writer must outlive anything: nobody is left without an answer
                log.exception("chat writer failed")
                with self.app.app_context():
                    for write in batch:
                        _answer(write, {"ok": False, "error": _("The message could not be saved, try again")})

    def _store_batch(self, batch: list[_Write]) -> None:
        try:
            self._store(batch)
        except Exception:  # one write spoils a batch: the others are stored on their own
            log.exception("chat batch of %d failed, storing one by one", len(batch))
            db.session.rollback()
            for write in batch:
                if write.answer is None or not write.answer.done():
                    self._store_alone(write)
        finally:
            db.session.remove()

    def _store_alone(self, write: _Write) -> None:
        try:
            self._store([write])
        except Exception:
            log.exception("chat write failed")
            db.session.rollback()
            _answer(write, {"ok": False, "error": _("The message could not be saved, try again")})

    def _store(self, batch: list[_Write]) -> None:
        members = memberships(db.session, {write.pair for write in batch})
        denied = [write for write in batch if write.pair not in members]
        for write in denied:
            audit(db.session.get(TmkUser, write.user_id), "read_denied", "dialog", write.request_id,
                  remote_addr=write.remote_addr)
            _answer(write, {"ok": False, "error": _("No such chat")})
        allowed = [write for write in batch if write.pair in members]
        sends = [write for write in allowed if write.read_up_to is None]
        results = chat.post_messages(db.session, [
            chat.NewMessage(members[write.pair], text=write.text, client_id=write.client_id) for write in sends])
        read_marks = {}
        for write in allowed:
            if write.read_up_to is not None:
                member = members[write.pair]
                key = (member.dialog_id, member.user_id)
                read_marks[key] = max(read_marks.get(key, 0), write.read_up_to)
        chat.mark_read_up_to(db.session, read_marks)
        db.session.commit()  # the broadcasts follow the commit (app.realtime.chat)
        for write, result in zip(sends, results):
            _answer(write, {"ok": False, "error": result.message} if isinstance(result, WorkflowError)
                    else {"ok": True, "message": message_json(result)})


def _answer(write: _Write, answer: dict) -> None:
    if write.answer is not None and not write.answer.done():
        write.answer.set_result(answer)


def init_app(app: Flask) -> None:
    app.extensions["tmk_chat_writer"] = ChatWriter(app)  # its thread starts with the first write


def writer_of(app: Flask) -> ChatWriter:
    """The app's writer (the tests build several apps in one process)."""
    return app.extensions["tmk_chat_writer"]
