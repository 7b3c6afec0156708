"""The one queue adapter. ``enqueue("task", *args)`` inside a transaction; the job starts only after
the commit (a rolled-back transaction asks for nothing), and is retried with growing pauses."""
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_PENDING = "tmk_jobs"
_CALLBACKS = "tmk_after_commit"
_COMMITTED = "tmk_committed"
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tmk-job")


def enqueue(task: str, *args) -> None:
    """Ask for ``app.jobs.tasks.<task>(*args)`` after the current transaction commits."""
    from app.extensions import db

    db.session.info.setdefault(_PENDING, []).append((current_app._get_current_object(), task, args))


def after_commit(callback) -> None:
    """Run ``callback()`` once the current transaction commits (persist first, then notify)."""
    from app.extensions import db

    db.session.info.setdefault(_CALLBACKS, []).append(callback)


def retry_intervals(app: Flask) -> list[int]:
    return [int(x) for x in app.config["TMK_JOB_RETRY_SECONDS"].split(",")]


def _dispatch(app: Flask, task: str, args: tuple) -> None:
    if app.config["REDIS_URL"]:
        from redis import Redis
        from rq import Queue, Retry

        intervals = retry_intervals(app)
        Queue("tmk", connection=Redis.from_url(app.config["REDIS_URL"])).enqueue(
            f"app.jobs.tasks.{task}", *args, retry=Retry(max=len(intervals), interval=intervals)
        )
    else:
        _executor.submit(_run_in_process, app, task, args)


def _run_in_process(app: Flask, task: str, args: tuple) -> None:
    from app.jobs import tasks

    for pause in [0, *retry_intervals(app)]:
        time.sleep(pause)
        try:
            with app.app_context():
                getattr(tasks, task)(*args)
            return
        except Exception:  # the job reports; the next attempt or the periodic sweep takes it up
            log.exception("job %s%r failed", task, args)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # committed: what was asked for runs when the transaction has ended (below)
    session.info[_COMMITTED] = (session.info.pop(_PENDING, []), session.info.pop(_CALLBACKS, []))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    """Only now has the session given its connection back to the pool: a callback that opens a session
    of its own (a broadcast, the bell's count) must not wait for a second connection while the first is
    held — with as many concurrent senders as the pool is large, every one of them waited 30 s."""
    if transaction.parent is not None or _COMMITTED not in session.info:
        return
    jobs, callbacks = session.info.pop(_COMMITTED)
    for app, task, args in jobs:
        _dispatch(app, task, args)
    for callback in callbacks:
        try:
            callback()
        except Exception:  # a failed notification never undoes what was stored
            log.exception("after-commit callback failed")


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_CALLBACKS, None)


class PeriodicRunner:
    """Without Redis: the periodic jobs (deadline monitor, mail sweep) in one thread of this process."""

    def __init__(self, app: Flask, every_seconds: int = 60) -> None:
        self.app, self.every, self.stop = app, every_seconds, threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._loop, name="tmk-periodic", daemon=True).start()

    def _loop(self) -> None:
        from app.jobs import tasks

        while not self.stop.wait(self.every):
            try:
                with self.app.app_context():
                    tasks.every_minute()
            except Exception:
                log.exception("periodic jobs failed")
