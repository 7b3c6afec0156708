"""«Сообщения» (manual §3.4.1): every chat I take part in, the latest conversation first."""
from flask import g, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import STATUS_LABELS
from app.workflow import chat


class MessagesView(BaseView):
    route_base = "/messages"
    default_view = "dialogs"
    class_permission_name = "Requests"
    base_permissions = ["can_read"]

    @expose("/")
    @has_access
    @permission_name("read")
    def dialogs(self):
        search = request.args.get("q", "").strip()[:100]
        return self.render_template(
            "messages/list.html", title=_l("Messages"), search=search,
            dialogs=chat.my_dialogs(db.session, g.user, search), unread=chat.unread_counts(db.session, g.user),
            status_labels=STATUS_LABELS,
        )
