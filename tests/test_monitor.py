"""The deadline monitor: warns once when the deadline is near, announces once when it has passed."""
import datetime

from app.extensions import db
from app.models import Notification, RequestEvent, utcnow
from app.workflow import chat
from app.workflow.monitor import check_deadlines
from tests.requests_helpers import new_request, user


def _events(request_id, action):
    return db.session.query(RequestEvent).filter_by(request_id=request_id, action=action).count()


def test_warning_then_overdue_each_once(app):
    with app.app_context():
        request = new_request(urgency="urgent")  # the seeded rule warns 180 min before a 24 h deadline
        now = utcnow()
        request.due_at = now + datetime.timedelta(minutes=100)
        db.session.commit()
        first = check_deadlines(db.session, now)
        second = check_deadlines(db.session, now + datetime.timedelta(minutes=1))
        assert first["deadline_warning"] >= 1 and _events(request.id, "deadline_warning") == 1
        assert isinstance(second, dict) and _events(request.id, "deadline_warning") == 1  # the second run adds none
        # still in the common queue: the coordinator of the consulting МО is told too
        members = {m.user.username for m in chat.dialog_of(db.session, request.id).members}
        assert "coordinator1" in members
        coordinator = user("coordinator1").id
        warned = db.session.query(Notification).join(Notification.event).filter(
            Notification.request_id == request.id, Notification.user_id == coordinator,
            RequestEvent.action == "deadline_warning").count()
        assert warned == 1

        later = now + datetime.timedelta(minutes=101)
        check_deadlines(db.session, later)
        check_deadlines(db.session, later + datetime.timedelta(minutes=5))
        assert _events(request.id, "overdue") == 1
        with app.test_request_context():
            texts = [chat.system_text(m.event) for m in chat.history(db.session, chat.dialog_of(db.session, request.id))
                     if m.kind == "system"]
        assert "Срок ответа по заявке истёк" in texts


def test_paused_and_finished_requests_are_left_alone(app):
    from app.workflow import apply

    with app.app_context():
        paused = new_request()
        apply(user("consultant1"), paused, "take")
        apply(user("consultant1"), paused, "request_info", {"comment": "ЭКГ?"})
        paused.due_at = utcnow() - datetime.timedelta(minutes=5)
        db.session.commit()
        check_deadlines(db.session, utcnow())
        assert _events(paused.id, "overdue") == 0
