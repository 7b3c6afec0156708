"""The jobs themselves, asked for by their dotted names (app/core/jobs.py). Each runs in a context of
the portal's app: an RQ worker started by `flask --app wsgi tmk worker` (app/jobs/worker.py), or this process."""
import contextlib
import datetime
import logging

from flask import current_app, has_app_context
from sqlalchemy import and_, or_, update

from app.extensions import db
from app.core import jobs
from app.models import Notification, utcnow

log = logging.getLogger(__name__)
# a new notification's own job sends it; the sweep takes it up only if that job was lost
FIRST_ATTEMPT_GRACE = datetime.timedelta(minutes=2)
EMAIL_ATTEMPT_HOLD = datetime.timedelta(minutes=10)


@contextlib.contextmanager
def _portal_context():
    """A fresh app context of the portal's app (one database session per job) and a request context for
    the portal's public address, so that links in e-mails point at it and texts are in the portal's
    language."""
    if not has_app_context():
        raise RuntimeError("a job runs inside the portal's app: start workers with `flask --app wsgi tmk worker`")
    app = current_app._get_current_object()
    with app.app_context(), app.test_request_context(base_url=app.config["TMK_BASE_URL"]):
        yield


def send_notification_mail(notification_id: int) -> str | None:
    """One attempt at one notification's e-mail. A failure is this message's alone: logged, recorded on
    the notification and tried again by the sweep after a growing pause, given up ("failed", shown to
    the МО administrator) after the last. Answers "sent", "failed", "unreachable" or None (nothing due)."""
    from app.jobs.mail import compose, deliver, server_unreachable

    with _portal_context():
        now = utcnow()
        if not _claim(notification_id, now):
            return None  # sent, given up, not wanted, or being tried right now
        notification = db.session.get(Notification, notification_id)
        try:
            deliver(compose(notification), notification.id)
        except Exception as error:
            db.session.rollback()
            unreachable = server_unreachable(error)
            _record_failure(notification, error, unreachable, now)
            return "unreachable" if unreachable else "failed"
        notification.email_state, notification.emailed_at = "sent", utcnow()
        notification.email_next_attempt_at, notification.email_error = None, ""
        db.session.commit()
        return "sent"


def _claim(notification_id: int, now) -> bool:
    """Take this attempt, in one UPDATE: a job and the sweep never send one message twice. A claim that
    is never finished (the process died) runs out after EMAIL_ATTEMPT_HOLD and the sweep tries again."""
    due = or_(Notification.email_next_attempt_at.is_(None), Notification.email_next_attempt_at <= now)
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.email_state == "pending", due)
        .values(email_attempts=Notification.email_attempts + 1, email_next_attempt_at=now + EMAIL_ATTEMPT_HOLD)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _record_failure(notification: Notification, error: Exception, unreachable: bool, now) -> None:
    intervals = jobs.retry_intervals(current_app)
    if unreachable:  # the server never saw the message: the attempt does not count against it
        notification.email_attempts -= 1
    notification.email_error = ": ".join(filter(None, (type(error).__name__, str(error))))[:300]
    if not unreachable and notification.email_attempts > len(intervals):
        notification.email_state, notification.email_next_attempt_at = "failed", None
    else:
        pause = intervals[min(max(notification.email_attempts - 1, 0), len(intervals) - 1)]
        notification.email_next_attempt_at = now + datetime.timedelta(seconds=pause)
    db.session.commit()
    log.warning("notification %s: e-mail to user %s failed (attempt %s, %s): %s", notification.id,
                notification.user_id, notification.email_attempts, notification.email_state, notification.email_error)


def sweep_unsent_mail() -> int:
    """Mail due again after a failed attempt, or whose job was lost (a restart), is tried again, each
    message on its own; returns how many were sent."""
    with _portal_context():
        now = utcnow()
        lost = and_(Notification.email_next_attempt_at.is_(None), Notification.created_at <= now - FIRST_ATTEMPT_GRACE)
        due = or_(Notification.email_next_attempt_at <= now, lost)
        pending = [n.id for n in db.session.query(Notification.id).filter(Notification.email_state == "pending", due)
                   .order_by(Notification.id)]
    sent = 0
    for notification_id in pending:
        try:
            outcome = send_notification_mail(notification_id)
        except Exception:  # e.g. the database for a moment: the next sweep tries again
            log.exception("notification %s: e-mail attempt failed", notification_id)
            continue
        if outcome == "sent":
            sent += 1
        elif outcome == "unreachable":
            break  # the mail server is down: every other message would wait for it the same way
    return sent


def render_conclusion(conclusion_id: int) -> None:
    from app.models import Conclusion
    from app.workflow.conclusions import render_documents

    with _portal_context():
        conclusion = db.session.get(Conclusion, conclusion_id)
        if conclusion is not None:
            render_documents(conclusion)


def check_deadlines() -> dict[str, int]:
    from app.workflow.monitor import check_deadlines as check

    with _portal_context():
        return check(db.session, utcnow())


def sweep_video_sessions() -> int:
    """Whoever's room page stopped reporting left; a session left empty ended."""
    from app.video.sessions import sweep

    with _portal_context():
        return sweep()


def settle_video_calls() -> int:
    """Calls whose time ran out and whose process' timer never settled them (the process stopped)."""
    from app.video.calls import settle_due

    with _portal_context():
        return settle_due()


def every_minute() -> None:
    """One failing part does not keep the others from running."""
    for part in (dispatch_kept_jobs, check_deadlines, settle_video_calls, sweep_video_sessions, sweep_unsent_mail):
        try:
            part()
        except Exception:
            log.exception("periodic job %s failed", part.__name__)


def dispatch_kept_jobs() -> int:
    """The jobs Redis could not take when they were asked for (it was down), handed to RQ now."""
    with _portal_context():
        return jobs.queue_kept_jobs()
