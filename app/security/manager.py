"""The portal's SecurityManager: our user model and account views, FAB's role screens hidden."""
import datetime

from flask import g
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_babel import lazy_gettext as _l

from sqlalchemy.orm import selectinload

from app.models import TmkUser
from app.views.base import EagerSQLAInterface
from app.views.users import TmkResetPasswordView, TmkUserInfoEditView, TmkUserModelView


class TmkSecurityManager(SecurityManager):
    user_model = TmkUser
    userdbmodelview = TmkUserModelView
    resetpasswordview = TmkResetPasswordView
    userinfoeditview = TmkUserInfoEditView

    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        # «Учётные записи» lists МО and roles per row: load them per page, not per row
        self.userdbmodelview.datamodel = EagerSQLAInterface(
            self.user_model, selectinload(self.user_model.roles), selectinload(self.user_model.organization)
        )

    def register_views(self):
        """Login, logout, the profile and «Учётные записи»; roles are code (app/security/roles.py)."""
        self.appbuilder.add_api(self.security_api)  # /api/v1/security/login for JWT clients
        self.appbuilder.add_view_no_menu(self.userinfoeditview())
        self.appbuilder.add_view_no_menu(self.resetpasswordview())
        self.appbuilder.add_view_no_menu(self.resetmypasswordview())
        self.auth_view = self.authdbview()
        self.appbuilder.add_view_no_menu(self.auth_view)
        if self.is_auth_limited:
            self.limiter.limit(self.auth_rate_limit, methods=["POST"])(self.auth_view.blueprint)
        self.user_view = self.appbuilder.add_view(
            self.userdbmodelview,
            "User accounts",
            icon="fa-id-card",
            label=_l("User accounts"),
            category="Administration",
            category_label=_l("Administration"),
            category_icon="fa-cogs",
        )

    def _has_view_access(self, user, permission_name: str, view_name: str) -> bool:
        """FAB asks the database once per menu item and per check; a page asks a dozen times. Here the
        user's permissions are read once per request (g lives for one request)."""
        key = getattr(user, "id", None) if user.is_authenticated else None
        cache = g.setdefault("tmk_permissions", {})
        if key not in cache:
            cache[key] = self.get_user_permissions(user)
        return (permission_name, view_name) in cache[key]

    def on_user_login(self, user) -> None:
        """FAB stamps the server's local time; we store UTC."""
        user.last_login = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        self.update_user(user)
