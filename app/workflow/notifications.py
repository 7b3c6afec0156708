"""Notifications of a request's events: one per participant but the one who acted, under the bell and by
e-mail as each keeps that group of events on (profile → «Настройка уведомлений»); one who wants neither
gets none (the chat's system message stays: the chat is the request's record). Which events, and their
group, is the transitions table's ``mail_group``."""
from sqlalchemy.orm import Session

from app.core.events import push_unread_on_commit
from app.core.jobs import enqueue
from app.models import DialogMember, Notification, TmkUser


def notify(session: Session, dialog, event, mail_group: str, only=None) -> list[Notification]:
    """``only``: the user ids told of this event (still active members; a missed call is its callee's
    alone); None: every member."""
    recipients = (
        session.query(TmkUser)
        .join(DialogMember, DialogMember.user_id == TmkUser.id)
        .filter(DialogMember.dialog_id == dialog.id, DialogMember.removed_at.is_(None), TmkUser.active.is_(True))
    )
    if only is not None:
        recipients = recipients.filter(TmkUser.id.in_(set(only)))
    if event.actor_id is not None:  # whoever acted knows; the portal's own events go to everyone
        recipients = recipients.filter(TmkUser.id != event.actor_id)
    made = []
    for user in recipients.all():
        in_portal, by_email = user.wants_portal_notice_about(mail_group), user.wants_email_about(mail_group)
        if not (in_portal or by_email):
            continue
        notification = Notification(user_id=user.id, request_id=dialog.request_id, event_id=event.id,
                                    in_portal=in_portal, email_state="pending" if by_email else "none")
        session.add(notification)
        made.append(notification)
    session.flush()
    for notification in made:
        if notification.email_state == "pending":
            enqueue("app.jobs.tasks.send_notification_mail", notification.id)
    shown = [n.user_id for n in made if n.in_portal]
    if shown:
        push_unread_on_commit(shown)  # the bells ring once the rows are committed
    return made
