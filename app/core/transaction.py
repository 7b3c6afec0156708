"""Work that follows a commit (persist first, then notify): ``on_commit(callback)`` inside a
transaction runs the callback once that transaction has committed and given its connection back to
the pool; a rolled-back transaction runs nothing."""
import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_CALLBACKS = "tmk_on_commit"
_COMMITTED = "tmk_committed"


def on_commit(callback, session: Session | None = None) -> None:
    """Run ``callback()`` once the current transaction of ``session`` (db.session) commits."""
    if session is None:
        from app.extensions import db

        session = db.session()
    session.info.setdefault(_CALLBACKS, []).append(callback)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    callbacks = session.info.pop(_CALLBACKS, [])
    if callbacks:
        session.info.setdefault(_COMMITTED, []).extend(callbacks)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    """Only now has the session given its connection back to the pool: a callback that opens a session
    of its own (a broadcast, the bell's count) must not wait for a second connection while the first is
    held — with as many concurrent senders as the pool is large, every one of them waited 30 s."""
    if transaction.parent is not None or _COMMITTED not in session.info:
        return
    for callback in session.info.pop(_COMMITTED):
        try:
            callback()
        except Exception:  # a failed notification never undoes what was stored
            log.exception("after-commit callback failed")


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_CALLBACKS, None)
