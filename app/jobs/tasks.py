"""The jobs themselves. Each makes its own app context, so the same function runs in an RQ worker and
in this process."""
import contextlib

from flask import current_app, has_app_context

from app.extensions import db
from app.models import Notification, utcnow

_worker_app = None


@contextlib.contextmanager
def _portal_context():
    """An app context (the worker's own app when there is none) and a request context for the portal's
    public address, so that links in e-mails point at it and texts are in the portal's language."""
    global _worker_app
    if has_app_context():
        app = current_app._get_current_object()
    else:
        if _worker_app is None:
            from app import create_app

            _worker_app = create_app()
        app = _worker_app
    with app.app_context(), app.test_request_context(base_url=app.config["TMK_BASE_URL"]):
        yield


def send_notification_mail(notification_id: int) -> None:
    from app.jobs.mail import compose, deliver

    with _portal_context():
        notification = db.session.get(Notification, notification_id)
        if notification is None or notification.email_state != "pending":
            return  # sent by an earlier attempt, or not wanted
        notification.email_attempts += 1
        db.session.commit()
        deliver(compose(notification), notification.id)  # raises while the SMTP server is down
        notification.email_state, notification.emailed_at = "sent", utcnow()
        db.session.commit()


def sweep_unsent_mail() -> int:
    """Mail still pending after its retries (or after a restart) is tried again: nothing is lost."""
    with _portal_context():
        pending = [n.id for n in db.session.query(Notification.id).filter_by(email_state="pending")]
    sent = 0
    for notification_id in pending:
        try:
            send_notification_mail(notification_id)
            sent += 1
        except Exception:
            break  # the server is still down: the next sweep tries again
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


def every_minute() -> None:
    check_deadlines()
    sweep_unsent_mail()
