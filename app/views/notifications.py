"""The bell: notifications about the requests I take part in; opening the list marks them read."""
from flask import g
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Notification, utcnow
from app.core.events import push_unread_on_commit
from app.workflow.transitions import HISTORY_LABELS


def unread_notifications() -> int:
    user = getattr(g, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return db.session.query(Notification.id).filter(Notification.user_id == user.id, Notification.in_portal,
                                                    Notification.read_at.is_(None)).count()


class NotificationsView(BaseView):
    route_base = "/notifications"
    default_view = "notifications"
    class_permission_name = "Requests"
    base_permissions = ["can_read"]

    @expose("/")
    @has_access
    @permission_name("read")
    def notifications(self):
        items = (db.session.query(Notification).filter(Notification.user_id == g.user.id, Notification.in_portal)
                 .options(joinedload(Notification.request), joinedload(Notification.event))
                 .order_by(Notification.id.desc()).limit(100).all())
        fresh = {n.id for n in items if n.read_at is None}
        db.session.query(Notification).filter(Notification.id.in_(fresh)).update(
            {Notification.read_at: utcnow()}, synchronize_session=False)
        if fresh:
            push_unread_on_commit([g.user.id])  # the bell in my other tabs goes down too
        db.session.commit()
        return self.render_template("notifications/list.html", title=_l("Notifications"), items=items,
                                    fresh=fresh, labels=HISTORY_LABELS)
