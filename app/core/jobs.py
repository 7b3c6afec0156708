"""The one queue adapter. ``enqueue("app.jobs.tasks.send_notification_mail", 7)`` inside a
transaction: a job is named by its function's dotted path (as RQ names it), so whoever asks for a job
never imports the jobs; it starts only after the commit (a rolled-back transaction asks for nothing), and
is retried with growing pauses.

With Redis, persist first, then notify: the job is written to the database (KeptJob) in the same
transaction, handed to RQ after the commit and then forgotten. What RQ could not take (Redis is down)
stays kept and the minute sweep (``queue_kept_jobs``) hands it over once Redis is back; a committed
operation never fails because its job could not be queued. Without Redis the job runs in this process."""
import dataclasses
import datetime
import importlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy import delete, event, inspect
from sqlalchemy.orm import Session

from app.core.transaction import on_commit
from app.models import KeptJob, utcnow

log = logging.getLogger(__name__)
_PENDING = "tmk_jobs"
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tmk-job")

# Separate RQ queues, so that a render never waits behind mail and its retries; a worker takes them in
# the order of WORKER_QUEUES (README, docker-compose.yml). Other jobs (the minute sweep) go to "tmk".
TASK_QUEUES = {"app.jobs.tasks.render_conclusion": "tmk-render", "app.jobs.tasks.send_notification_mail": "tmk-mail"}
WORKER_QUEUES = ("tmk-render", "tmk", "tmk-mail")
# RQ stops a render that runs longer (TMK_RENDER_TIMEOUT_SECONDS overrides): one user cannot hold a worker
RENDER_TIMEOUT_SECONDS = 120
# the sweep leaves a kept job alone this long: the process that committed it is handing it to RQ now
KEPT_JOB_GRACE = datetime.timedelta(minutes=1)
KEPT_JOBS_PER_SWEEP = 500


@dataclasses.dataclass
class Job:
    app: Flask
    task: str  # the function's dotted path
    args: tuple
    kept: KeptJob | None = None  # its row while RQ does not have it (with Redis only)
    queued: bool = False  # after the commit: RQ (or this process) has taken it


def enqueue(task: str, *args) -> Job:
    """Ask for ``task(*args)`` (a dotted path) after the current transaction commits; after the commit
    the returned job's ``queued`` says whether it was taken (False: kept for the sweep)."""
    from app.extensions import db

    app = current_app._get_current_object()
    job = Job(app, task, args)
    if app.config["REDIS_URL"]:
        job.kept = KeptJob(task=task, args=list(args), next_attempt_at=utcnow() + KEPT_JOB_GRACE)
        db.session.add(job.kept)
    pending = db.session.info.get(_PENDING)
    if pending is None:  # the first job of this transaction: one hand-over for all of them
        pending = db.session.info[_PENDING] = []
        on_commit(lambda: _hand_over(db.session.info.pop(_PENDING, pending)))
    pending.append(job)
    return job


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)  # a rolled-back transaction asks for nothing


def retry_intervals(app: Flask) -> list[int]:
    return [int(x) for x in app.config["TMK_JOB_RETRY_SECONDS"].split(",")]


def _redis(app: Flask):
    """One client per app; short timeouts, so that a Redis that does not answer cannot hold a request."""
    from redis import Redis

    if "tmk_redis" not in app.extensions:
        app.extensions["tmk_redis"] = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=3,
                                                     socket_timeout=10)
    return app.extensions["tmk_redis"]


def _dispatch(app: Flask, task: str, args: tuple) -> None:
    """Hand the job to RQ (raises while Redis is unreachable), or to this process without Redis."""
    if app.config["REDIS_URL"]:
        from rq import Queue, Retry

        intervals = retry_intervals(app)
        options = {"retry": Retry(max=len(intervals), interval=intervals)}
        if TASK_QUEUES.get(task) == "tmk-render":
            options["job_timeout"] = app.config.get("TMK_RENDER_TIMEOUT_SECONDS", RENDER_TIMEOUT_SECONDS)
        Queue(TASK_QUEUES.get(task, "tmk"), connection=_redis(app)).enqueue(task, *args, **options)
    else:
        _executor.submit(_run_in_process, app, task, args)


def function_of(task: str):
    """The function a dotted path names, imported when the job runs (as an RQ worker does)."""
    module, name = task.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def _run_in_process(app: Flask, task: str, args: tuple) -> None:
    for pause in [0, *retry_intervals(app)]:
        time.sleep(pause)
        try:
            with app.app_context():
                function_of(task)(*args)
            return
        except Exception:  # the job reports; the next attempt or the periodic sweep takes it up
            log.exception("job %s%r failed", task, args)


def _hand_over(jobs: list[Job]) -> None:
    """After the commit: each job to RQ; what RQ took is no longer kept."""
    for job in jobs:
        try:
            _dispatch(job.app, job.task, job.args)
        except Exception as error:  # Redis is down: the job stays kept; the rest would fail the same way
            log.warning("Redis unreachable, %d job(s) kept for the minute sweep: %s", len(jobs), error)
            break
        job.queued = True
    forget([job for job in jobs if job.queued])


def forget(jobs: list[Job]) -> None:
    """Delete the kept rows of these jobs (in a transaction of its own: this runs after a commit)."""
    # by the identity: the rows expired with the commit, and loading them again would need a transaction
    ids = [inspect(job.kept).identity[0] for job in jobs if job.kept is not None]
    if not ids:
        return
    from app.extensions import db

    try:
        with jobs[0].app.app_context(), db.engine.begin() as connection:
            connection.execute(delete(KeptJob).where(KeptJob.id.in_(ids)))
    except Exception:  # the sweep queues them once more; every job tolerates a second run
        log.exception("kept jobs %s could not be forgotten", ids)


def queue_kept_jobs() -> int:
    """The minute sweep: hand RQ the jobs it could not take when they were asked for."""
    from app.extensions import db

    app, now = current_app._get_current_object(), utcnow()
    due = (db.session.query(KeptJob).filter(KeptJob.next_attempt_at <= now).order_by(KeptJob.id)
           .limit(KEPT_JOBS_PER_SWEEP).all())
    queued = 0
    for kept in due:
        try:
            _dispatch(app, kept.task, tuple(kept.args))
        except Exception as error:  # still down: the next sweep tries again
            kept.attempts, kept.error = kept.attempts + 1, str(error)[:300]
            kept.next_attempt_at = now + KEPT_JOB_GRACE
            log.warning("Redis still unreachable, %d job(s) kept: %s", len(due) - queued, error)
            break
        db.session.delete(kept)
        queued += 1
    db.session.commit()
    return queued


class PeriodicRunner:
    """Without Redis: the periodic jobs (deadline monitor, mail sweep) in one thread of this process."""

    def __init__(self, app: Flask, task: str = "app.jobs.tasks.every_minute", every_seconds: int = 60) -> None:
        self.app, self.task, self.every, self.stop = app, task, every_seconds, threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._loop, name="tmk-periodic", daemon=True).start()

    def _loop(self) -> None:
        while not self.stop.wait(self.every):
            try:
                with self.app.app_context():
                    function_of(self.task)()
            except Exception:
                log.exception("periodic jobs failed")
