"""Accounts: management (administrators) and the directory «Пользователи» (everyone); the own profile's
tabs are app/views/profile.py."""
from flask import abort, redirect, request, url_for
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.security.forms import ResetPasswordForm
from flask_appbuilder.security.views import ResetPasswordView, UserDBModelView
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.extensions import db
from app.models import TmkUser
from app.schemas.identifiers import BirthDate, IntranetEmail, format_snils
from app.schemas.labels import USER_DESCRIPTIONS, USER_LABELS
from app.security.access import current_actor, managed_users_clause
from app.security.accounts import check_account_assignment, check_account_deletion, snils_taken, stored_actor
from app.security.filters import AssignableRolesFilter, ManagedUsersFilter, OwnOrganizationFilter
from app.security.manager import TmkSecurityManager
from app.views.base import EagerSQLAInterface, PortalViewMixin
from app.views.fields import SnilsField, ru_date_field
from app.views.profile import avatar_html

_PERSON_FIELDS = ["last_name", "first_name", "middle_name", "snils", "birth_date"]
_WORK_FIELDS = ["organization", "department", "position", "care_profiles"]
_CONTACT_FIELDS = ["email", "phone", "work_address", "email_notifications"]


class UniqueSnils:
    """СНИЛС taken by another account (FAB's Unique would also match two accounts without one)."""

    def __call__(self, form, field):
        editing = getattr(form, "_id", None)  # FAB sets it on the edit form
        if field.data and snils_taken(field.data, except_user_id=int(editing) if editing else None):
            raise ValidationError(_l("A user with this SNILS already exists"))


class TmkUserModelView(PortalViewMixin, UserDBModelView):
    """«Учётные записи»: the regional administrator manages all, an МО administrator his МО's."""

    route_base = "/users"
    list_title = _l("User accounts")
    show_title = _l("User account")
    add_title = _l("New user account")
    edit_title = _l("Edit user account")

    label_columns = USER_LABELS
    description_columns = USER_DESCRIPTIONS
    list_columns = ["last_name", "first_name", "middle_name", "username", "organization", "position", "roles", "active"]
    order_columns = ["last_name", "first_name", "username", "active"]
    search_columns = ["last_name", "first_name", "username", "snils", "organization", "roles", "active"]
    add_columns = [
        *_PERSON_FIELDS, "username", "password", "conf_password", *_WORK_FIELDS, "roles", "active",
        *_CONTACT_FIELDS,
    ]
    edit_columns = [*_PERSON_FIELDS, "username", *_WORK_FIELDS, "roles", "active", *_CONTACT_FIELDS]
    show_fieldsets = [
        (_l("Person"), {"fields": _PERSON_FIELDS}),
        (_l("Work"), {"fields": [*_WORK_FIELDS, "roles"]}),
        (_l("Contacts"), {"fields": _CONTACT_FIELDS}),
        (_l("Account"), {"fields": ["username", "active", "last_login", "login_count", "fail_login_count", "created_on", "changed_on"]}),
    ]
    formatters_columns = {"snils": format_snils}
    validators_columns = {
        "roles": [DataRequired(message=_l("Choose at least one role"))],
        "email": [DataRequired(), IntranetEmail()],
        "last_name": [DataRequired(), Length(max=64)],
        "first_name": [DataRequired(), Length(max=64)],
        "phone": [Optional(), Length(max=32)],
    }
    _person_fields = {
        "snils": SnilsField(validators=[UniqueSnils()]),
        "birth_date": ru_date_field(_l("Birth date"), [Optional(), BirthDate()]),
    }
    add_form_extra_fields = {**UserDBModelView.add_form_extra_fields, **_person_fields}
    edit_form_extra_fields = _person_fields
    base_filters = [["id", ManagedUsersFilter, lambda: None]]
    add_form_query_rel_fields = {
        "organization": [["id", OwnOrganizationFilter, None]],
        "department": [["organization_id", OwnOrganizationFilter, None]],
        "roles": [["name", AssignableRolesFilter, None]],
    }
    edit_form_query_rel_fields = add_form_query_rel_fields

    def pre_add(self, item):
        actor = stored_actor()
        if item.organization is None and item.organization_id is None:
            item.organization_id = actor.organization_id
        item.email = (item.email or "").strip()  # IntranetEmail checked it stripped
        check_account_assignment(actor, item)
        super().pre_add(item)

    def pre_update(self, item):
        item.email = (item.email or "").strip()
        check_account_assignment(stored_actor(), item)
        super().pre_update(item)

    def pre_delete(self, item):
        check_account_deletion(stored_actor(), item)

    @expose("/userinfo/")
    @has_access
    def userinfo(self):
        """The user menu's «Профиль» (FAB's get_url_for_userinfo) opens the profile's tabs."""
        return redirect(url_for("ProfileView.info"))

    @action("userinfoedit", _l("Edit my information"), "", "fa-edit", multiple=False)
    def userinfoedit(self, _item):
        return redirect(url_for("ProfileView.info"))

    @action("resetmypassword", _l("Change my password"), "", "fa-lock", multiple=False)
    def resetmypassword(self, _item):
        """FAB's own form set a new password without the current one: the profile's «Доступ» asks for it."""
        return redirect(url_for("ProfileView.access"))

    @action("resetpasswords", _l("Reset Password"), "", "fa-lock", multiple=False)
    def resetpasswords(self, items):
        """FAB's action, given one row by the show page and a list by action_post (where FAB's own broke
        on list.id); neither applies base_filters, so the row is re-checked here."""
        items = items if isinstance(items, list) else [items]
        if len(items) != 1:
            abort(400)
        target_id = getattr(items[0], "id", None)
        managed_account_or_404(target_id)
        return redirect(url_for(f"{self.appbuilder.sm.resetpasswordview.__name__}.this_form_get", pk=target_id))


def managed_account_or_404(target_id: int | None) -> None:
    """404 unless the signed-in user may manage that account: FAB's actions and the password form
    skip base_filters."""
    query = db.session.query(TmkUser.id).filter(TmkUser.id == target_id, managed_users_clause(current_actor(), TmkUser))
    if target_id is None or query.first() is None:
        abort(404)


class TmkResetPasswordView(ResetPasswordView):
    """Setting another user's password: the target is re-checked (this form skips base_filters)."""

    route_base = "/resetpassword"
    form = ResetPasswordForm
    form_title = _l("New password")
    message = _l("The password has been changed")

    def form_get(self, form):
        managed_account_or_404(request.args.get("pk", type=int))

    def form_post(self, form):
        managed_account_or_404(request.args.get("pk", type=int))
        super().form_post(form)


class UserDirectoryView(PortalViewMixin, ModelView):
    """«Пользователи»: everybody sees the list of colleagues, without editing (manual §2.2)."""

    route_base = "/directory"
    datamodel = EagerSQLAInterface(TmkUser, selectinload(TmkUser.organization), selectinload(TmkUser.department),
                                   selectinload(TmkUser.care_profiles))
    base_permissions = ["can_list", "can_show"]
    list_title = _l("Users")
    show_title = _l("User")
    label_columns = {**USER_LABELS, "department.name": USER_LABELS["department"]}
    list_columns = ["avatar", "full_name", "organization", "department.name", "position", "care_profiles"]
    show_columns = ["avatar", "full_name", "organization", "department.name", "position", "care_profiles", "email",
                    "phone", "work_address"]
    formatters_columns = {"avatar": avatar_html}
    search_columns = ["last_name", "first_name", "organization", "care_profiles"]
    order_columns = ["position"]
    base_order = ("last_name", "asc")
    base_filters = [["active", FilterEqual, True]]


class PortalSecurityManager(TmkSecurityManager):
    """The security manager with the portal's own account pages (config FAB_SECURITY_MANAGER_CLASS):
    security knows no views, so the two are joined here."""

    userdbmodelview = TmkUserModelView
    resetpasswordview = TmkResetPasswordView

    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        # «Учётные записи» lists МО and roles per row: load them per page, not per row
        self.userdbmodelview.datamodel = EagerSQLAInterface(
            self.user_model, selectinload(self.user_model.roles), selectinload(self.user_model.organization)
        )
