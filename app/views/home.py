"""«Главная»: the user's desk — what needs his action now, the counts of his tabs, his unread chats; for a
coordinator or an administrator the МО's unassigned and overdue requests (issue 13, item 3)."""
from flask import g, redirect, url_for
from flask_babel import gettext as _
from flask_appbuilder import IndexView, expose

from app.extensions import db
from app.models import utcnow
from app.security.access import is_regional_admin
from app.security.desk import (
    action_requests,
    desk_counts,
    overdue_requests,
    unassigned_requests,
)
from app.security.roles import ADMIN_MENU
from app.views import REQUEST_TABS, TAB_ICONS
from app.views.requests import TAB_TITLES, list_rows
from app.workflow.chat import unread_dialogs
from app.workflow.rules import may_create

DESK_ROWS = 10  # per card; the card links to its whole list
DESK_CHATS = 5


class HomeView(IndexView):
    index_template = "tmk/home.html"

    @expose("/")
    def index(self):
        if not (g.user and g.user.is_authenticated):
            return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
        user, now = g.user, utcnow()
        # the tabs of his menu, in its order
        tabs = [tab for name, tab in REQUEST_TABS.items() if self.appbuilder.sm.has_access("menu_access", name)]
        counts = desk_counts(db.session, user, tabs, now)
        cards = {"action": list_rows(action_requests(db.session, user, DESK_ROWS), now, None)}
        if "unassigned" in counts:
            cards["unassigned"] = list_rows(unassigned_requests(db.session, user, DESK_ROWS), now, None)
        if "overdue" in counts:
            cards["overdue"] = list_rows(overdue_requests(db.session, user, now, DESK_ROWS), now, None)
        chats, unread_chats = unread_dialogs(db.session, user, DESK_CHATS)
        admin_menu = next((item for item in self.appbuilder.menu.get_list() if item.name == ADMIN_MENU), None)
        return self.render_template(
            self.index_template, title=_("Home"), appbuilder=self.appbuilder, user=user, counts=counts, cards=cards,
            tabs=[(tab, TAB_TITLES[tab], TAB_ICONS[tab]) for tab in tabs], chats=chats, unread_chats=unread_chats,
            admin_menu=admin_menu, regional=is_regional_admin(user), can_create=may_create(user),
        )
