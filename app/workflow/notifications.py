"""Notifications of a request's events: one per participant but the one who acted; an e-mail for those
who keep e-mail notifications about that group of events on (profile → «Настройка уведомлений»).
Which events, and their group, is the transitions table's ``mail_group``."""
from sqlalchemy.orm import Session

from app.core.events import push_unread_on_commit
from app.core.jobs import enqueue
from app.models import DialogMember, Notification, TmkUser


def notify(session: Session, dialog, event, mail_group: str) -> list[Notification]:
    recipients = (
        session.query(TmkUser)
        .join(DialogMember, DialogMember.user_id == TmkUser.id)
        .filter(DialogMember.dialog_id == dialog.id, DialogMember.removed_at.is_(None), TmkUser.active.is_(True))
    )
    if event.actor_id is not None:  # whoever acted knows; the portal's own events go to everyone
        recipients = recipients.filter(TmkUser.id != event.actor_id)
    made = []
    for user in recipients.all():
        notification = Notification(user_id=user.id, request_id=dialog.request_id, event_id=event.id,
                                    email_state="pending" if user.wants_email_about(mail_group) else "none")
        session.add(notification)
        made.append(notification)
    session.flush()
    for notification in made:
        if notification.email_state == "pending":
            enqueue("app.jobs.tasks.send_notification_mail", notification.id)
    if made:
        push_unread_on_commit(n.user_id for n in made)  # the bells ring once the rows are committed
    return made
