"""The portal's SecurityManager: our user model and account views, FAB's role screens hidden."""
import datetime

from flask import g, has_request_context, jsonify
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import (
    Permission,
    PermissionView,
    Role,
    ViewMenu,
    assoc_permissionview_role,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.models import TmkUser
from app.security import sessions
from app.security.login_limits import limit_logins
from app.security.roles import ADMIN_MENU


def _token_refused(message):
    return jsonify(message=str(message)), 401


class TmkSecurityManager(SecurityManager):
    """Authentication, sessions and tokens. Its account pages are views (a layer above): the portal's
    app joins the two (app/views/users.py PortalSecurityManager)."""

    user_model = TmkUser

    def register_views(self):
        """Login, logout and «Учётные записи»; roles are code (app/security/roles.py). The own profile
        is the portal's (app/views/profile.py): FAB's forms for it (its password form asks not for the
        current password) are not registered."""
        security_api = self.appbuilder.add_api(self.security_api)  # /api/v1/security/login for JWT clients
        self.appbuilder.add_view_no_menu(self.resetpasswordview())
        self.auth_view = self.authdbview()
        self.appbuilder.add_view_no_menu(self.auth_view)
        self.appbuilder.add_view_no_menu(sessions.LogoutEverywhereView())
        if self.is_auth_limited:
            limit_logins(self.limiter, self.auth_view, security_api)
        self.user_view = self.appbuilder.add_view(
            self.userdbmodelview,
            "User accounts",
            icon="fa-id-card",
            label=_l("User accounts"),
            category=ADMIN_MENU,
            category_label=_l("Administration"),
            category_icon="fa-cogs",
        )

    def create_jwt_manager(self, app):
        """FAB's, and every token carries the account's session epoch (app/security/sessions.py). A token
        that is missing, malformed, expired or of an ended session answers 401 in Russian (the library
        says 422 in English for a malformed one)."""
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.additional_claims_loader(sessions.token_claims)
        jwt_manager.unauthorized_loader(lambda _reason: _token_refused(_l("Sign in: an access token is required")))
        jwt_manager.invalid_token_loader(lambda _reason: _token_refused(_l("The access token is not valid")))
        jwt_manager.expired_token_loader(lambda *_: _token_refused(_l("The access token has expired: sign in again")))
        jwt_manager.user_lookup_error_loader(lambda *_: _token_refused(_l("The session has ended: sign in again")))
        return jwt_manager

    def load_user(self, pk):
        """Flask-Login's loader of the session's user: an active account, and a session neither ended by
        «Выход» nor older than the account's session epoch."""
        user = super().load_user(pk)
        return user if user is not None and sessions.session_is_current(user) else None

    def load_user_jwt(self, _jwt_header, jwt_data):
        """A JWT (access or refresh) of an active account made in its current session epoch."""
        user = self.get_user_by_id(int(jwt_data["sub"]))
        if user is None or not user.is_active or not sessions.token_is_current(user, jwt_data):
            return None
        g.user = user  # as FAB's: g.user cannot be set before the request for a JWT user
        return user

    def get_user_by_id(self, pk):
        """The user with his roles and groups in one query: every request reads all three (the signed-in
        user is loaded by id), and FAB's lazy relationships asked for each separately."""
        return self.session.get(self.user_model, pk,
                                options=[joinedload(self.user_model.roles), joinedload(self.user_model.groups)])

    def _permission_names(self, which_roles) -> set[tuple[str, str]]:
        """(permission, view) pairs of the roles that match which_roles, in one query of names."""
        return {tuple(row) for row in self.session.execute(
            select(Permission.name, ViewMenu.name)
            .join(PermissionView, PermissionView.permission_id == Permission.id)
            .join(ViewMenu, ViewMenu.id == PermissionView.view_menu_id)
            .join(assoc_permissionview_role, assoc_permissionview_role.c.permission_view_id == PermissionView.id)
            .join(Role, Role.id == assoc_permissionview_role.c.role_id)
            .where(which_roles)
        )}

    def get_user_permissions(self, user) -> set[tuple[str, str]]:
        """FAB's: (permission, view) pairs of all the user's roles. The roles kept in the database are
        read in one query of names, where FAB ran one per role and built three ORM objects per pair."""
        result, role_ids = set(), []
        for role in self.get_user_roles(user):
            if role.name in self.builtin_roles:
                result.update(self.get_role_permissions(role))
            else:
                role_ids.append(role.id)
        if role_ids:
            result.update(self._permission_names(Role.id.in_(role_ids)))
        return result

    def is_item_public(self, permission_name, view_name) -> bool:
        """FAB's (does the public role have it?), asked before every API call. FAB read the public role
        and then its permissions, two queries per check; here one query of names per request."""
        if not has_request_context():
            return super().is_item_public(permission_name, view_name)
        cache = g.setdefault("tmk_permissions", {})
        if "public" not in cache:
            cache["public"] = self._permission_names(Role.name == self.auth_role_public)
        return (permission_name, view_name) in cache["public"]

    def _has_view_access(self, user, permission_name: str, view_name: str) -> bool:
        """FAB asks the database once per menu item and per check; a page asks a dozen times. Here the
        user's permissions are read once per request (g lives for one request)."""
        key = getattr(user, "id", None) if user.is_authenticated else None
        cache = g.setdefault("tmk_permissions", {})
        if key not in cache:
            cache[key] = self.get_user_permissions(user)
        return (permission_name, view_name) in cache[key]

    def on_user_login(self, user) -> None:
        """FAB stamps the server's local time; we store UTC. A successful sign-in is not counted by the
        login limits (app/security/login_limits.py)."""
        g.tmk_login_succeeded = True
        user.last_login = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        self.update_user(user)
