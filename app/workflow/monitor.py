"""The deadline monitor, run every minute: warns when a request's deadline is near (the urgency
rule's warning threshold) and announces the overdue ones — once each, however often it runs."""
import datetime

from sqlalchemy import func
from sqlalchemy.orm import Session

from app.models import ConsultationRequest, RequestEvent, UrgencyRule
from app.workflow.deadlines import rule_in_force
from app.workflow.engine import apply

WATCHED = ("new", "in_work")


def check_deadlines(session: Session, now: datetime.datetime) -> dict[str, int]:
    horizon = now + datetime.timedelta(minutes=session.query(func.max(UrgencyRule.warning_minutes)).scalar() or 0)
    candidates = (
        session.query(ConsultationRequest)
        .filter(ConsultationRequest.status.in_(WATCHED), ConsultationRequest.paused_at.is_(None),
                ConsultationRequest.due_at.isnot(None), ConsultationRequest.due_at <= horizon)
        .all()
    )
    done = {"deadline_warning": 0, "overdue": 0}
    for request in candidates:
        told = {action for (action,) in session.query(RequestEvent.action).filter(
            RequestEvent.request_id == request.id, RequestEvent.action.in_(tuple(done)))}
        left = request.due_at - now
        if left <= datetime.timedelta(0):
            action, comment = "overdue", ""
        else:
            rule = rule_in_force(session, request.urgency, request.received_at or now)
            if rule is None or left > datetime.timedelta(minutes=rule.warning_minutes):
                continue
            action, comment = "deadline_warning", str(int(left.total_seconds() // 60))
        if action in told:
            continue
        apply(None, request, action, {"comment": comment})
        done[action] += 1
    return done
