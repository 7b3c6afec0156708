"""/api/v1/users/: accounts, with the same row-level rules as «Учётные записи»."""
from flask import current_app
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.models.sqla.interface import SQLAInterface
from werkzeug.security import generate_password_hash

from app.api.base import russian_messages
from app.models import TmkUser
from app.security.accounts import AccountRuleError, check_account_assignment
from app.security.access import current_actor
from app.security.filters import AssignableRolesFilter, ManagedUsersFilter, OwnOrganizationFilter
from app.security.passwords import validate_password_complexity
from app.validators import normalize_snils, snils_error

_FIELDS = [
    "last_name", "first_name", "middle_name", "username", "email", "active", "snils", "birth_date",
    "organization", "department", "position", "care_profiles", "phone", "email_notifications", "roles",
]


class UserApi(ModelRestApi):
    resource_name = "users"
    datamodel = SQLAInterface(TmkUser)
    allow_browser_login = True
    list_columns = ["id", "last_name", "first_name", "middle_name", "username", "organization.id",
                    "organization.short_name", "position", "active", "roles.name"]
    show_columns = ["id", *[f for f in _FIELDS if f not in ("organization", "department", "care_profiles", "roles")],
                    "organization.id", "organization.short_name", "department.id", "department.name",
                    "care_profiles.id", "care_profiles.name", "roles.id", "roles.name", "last_login"]
    add_columns = [*_FIELDS, "password"]
    edit_columns = _FIELDS
    search_columns = ["last_name", "first_name", "username", "organization", "active"]
    order_columns = ["last_name", "first_name", "username"]
    base_filters = [["id", ManagedUsersFilter, lambda: None]]
    add_query_rel_fields = edit_query_rel_fields = {
        "organization": [["id", OwnOrganizationFilter, None]],
        "department": [["organization_id", OwnOrganizationFilter, None]],
        "roles": [["name", AssignableRolesFilter, None]],
    }

    # FAB calls pre_add/pre_update outside its own error handling: a rule broken there is a 422
    # with the Russian message, like a schema error.
    def post_headless(self):
        return self._answer_rule_errors(super().post_headless)

    def put_headless(self, pk):
        return self._answer_rule_errors(super().put_headless, pk)

    def response_422(self, message=None):
        """FAB's schema errors (marshmallow's English) in Russian, like those of our own APIs."""
        return super().response_422(message=russian_messages(message))

    def _answer_rule_errors(self, handler, *args):
        try:
            return handler(*args)
        except AccountRuleError as error:
            self.datamodel.session.rollback()
            return self.response_422(message=str(error))

    def _check(self, item: TmkUser) -> None:
        item.snils = normalize_snils(item.snils) or None
        if item.snils and (error := snils_error(item.snils)):
            raise AccountRuleError(error)
        check_account_assignment(current_actor(), item)

    def pre_add(self, item: TmkUser) -> None:
        actor = current_actor()
        if item.organization is None and actor.organization is not None:
            item.organization = actor.organization
        self._check(item)
        try:
            validate_password_complexity(item.password or "")
        except PasswordComplexityValidationError as error:
            raise AccountRuleError(str(error)) from error
        item.password = generate_password_hash(
            item.password, method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt")
        )

    def pre_update(self, item: TmkUser) -> None:
        self._check(item)

