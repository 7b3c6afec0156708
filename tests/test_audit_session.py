"""The audit trail writes in a transaction of its own: recording a read never commits the caller's
pending work, and the record stays when the caller rolls back (#12). On SQLite a caller that has
already written holds the one write lock: the record then joins the caller's transaction rather than
wait for a lock it would never get."""
import time
import uuid

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, TmkUser
from app.security.audit import audit
from tests.requests_helpers import user


def _committed(statement):
    """What another connection sees: only committed rows."""
    with db.engine.connect() as connection:
        return connection.execute(statement).scalar()


def _audit_rows(marker: str):
    return sa.select(sa.func.count()).select_from(AuditEvent.__table__).where(AuditEvent.detail == marker)


def _first_name(user_id: int):
    return sa.select(TmkUser.__table__.c.first_name).where(TmkUser.__table__.c.id == user_id)


def test_audit_does_not_commit_the_callers_pending_change(app):
    marker = uuid.uuid4().hex
    with app.app_context():
        account = user("requester2")
        name = account.first_name
        account.first_name = "Несохранённое"  # pending in db.session, not flushed
        audit(account, "read_request", "consultation_request", 1, marker)
        assert _committed(_first_name(account.id)) == name
        assert _committed(_audit_rows(marker)) == 1
        db.session.rollback()
        assert _committed(_audit_rows(marker)) == 1
        assert db.session.get(TmkUser, account.id).first_name == name
        db.session.remove()


def test_audit_inside_a_written_transaction_does_not_hang(app):
    marker = uuid.uuid4().hex
    with app.app_context():
        account = user("requester2")
        name = account.first_name
        account.first_name = "Несохранённое"
        db.session.flush()  # the caller's transaction has written (on SQLite: holds the write lock)
        started = time.monotonic()
        audit(account, "read_request", "consultation_request", 1, marker)
        assert time.monotonic() - started < 1
        assert db.session.execute(_audit_rows(marker)).scalar() == 1
        sqlite = db.engine.dialect.name == "sqlite"
        if not sqlite:  # a transaction of its own: committed already, and the caller's change is not
            assert _committed(_audit_rows(marker)) == 1
            assert _committed(_first_name(account.id)) == name
        db.session.rollback()
        assert db.session.get(TmkUser, account.id).first_name == name
        # SQLite's record went with the caller's transaction; elsewhere it stays
        assert _committed(_audit_rows(marker)) == (0 if sqlite else 1)
        db.session.remove()
