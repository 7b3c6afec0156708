"""Notifications of a request's events: one per participant but the one who acted; an e-mail for those
who keep e-mail notifications about that kind of event on (profile → «Настройка уведомлений»)."""
from sqlalchemy.orm import Session

from app.jobs.queue import enqueue
from app.models import DialogMember, Notification, TmkUser
from app.realtime.notifications import push_unread_after_commit

# events worth telling people about (not the creation of a draft or a deadline pause)
NOTIFIED = {"submit", "approve", "reject", "take", "assign", "transfer", "request_info", "provide_info",
            "refuse", "cancel", "complete", "deadline_warning", "overdue"}


def notify(session: Session, dialog, event) -> list[Notification]:
    if event.action not in NOTIFIED:
        return []
    recipients = (
        session.query(TmkUser)
        .join(DialogMember, DialogMember.user_id == TmkUser.id)
        .filter(DialogMember.dialog_id == dialog.id, DialogMember.removed_at.is_(None), TmkUser.active.is_(True))
    )
    if event.actor_id is not None:  # whoever acted knows; the portal's own events go to everyone
        recipients = recipients.filter(TmkUser.id != event.actor_id)
    made = []
    for user in recipients.all():
        wants_mail = user.wants_email_about(event.action)
        notification = Notification(user_id=user.id, request_id=dialog.request_id, event_id=event.id,
                                    email_state="pending" if wants_mail else "none")
        session.add(notification)
        made.append(notification)
    session.flush()
    for notification in made:
        if notification.email_state == "pending":
            enqueue("send_notification_mail", notification.id)
    if made:
        push_unread_after_commit(n.user_id for n in made)  # the bells ring once the rows are committed
    return made
