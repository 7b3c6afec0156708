"""The audit trail: who read or tried to read what. Rows are only ever added."""
from flask import has_request_context, request
from sqlalchemy import insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AuditEvent


def audit(actor, action: str, object_type: str, object_id, detail: str = "", remote_addr: str | None = None) -> None:
    """Record at once, in a transaction of its own, so a denied read is kept even when nothing else is,
    and recording it never commits (or rolls back) the caller's work. The address is the current
    request's, unless given (work done on behalf of a socket elsewhere)."""
    if remote_addr is None and has_request_context():
        remote_addr = request.remote_addr
    row = insert(AuditEvent.__table__).values(
        user_id=getattr(actor, "id", None), action=action, object_type=object_type, object_id=str(object_id),
        detail=detail[:500], remote_addr=remote_addr,
    )
    writing = _sqlite_writer(db.session())
    if writing is not None:
        # SQLite has one writer at a time and this session is it until it ends: a second connection would
        # wait for the lock and fail («database is locked»). The row goes with the caller's transaction.
        writing.execute(row)
        return
    with db.engine.begin() as connection:
        connection.execute(row)


def _sqlite_writer(session: Session) -> Connection | None:
    """The session's connection if it is SQLite's and has written in its open transaction (pysqlite
    begins a transaction only before a write, so one in progress means the write lock is held)."""
    if not session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return None
    connection = session.connection()
    return connection if connection.connection.dbapi_connection.in_transaction else None
