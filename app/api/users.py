"""/api/v1/users/: accounts, with the same row-level rules as «Учётные записи»."""
from flask import current_app
from flask_appbuilder.api.convert import Model2SchemaConverter
from flask_appbuilder.exceptions import DatabaseException, PasswordComplexityValidationError
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from marshmallow_sqlalchemy import field_for
from marshmallow_sqlalchemy.fields import Related
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import generate_password_hash

from app.api.base import PortalModelRestApi
from app.models import TmkUser
from app.schemas.base import Schema
from app.schemas.identifiers import EMAIL_RE, MAX_ID, birth_date_error, normalize_snils, snils_error
from app.schemas.labels import USER_DESCRIPTIONS, USER_LABELS
from app.security.accounts import (
    AccountRuleError,
    check_account_assignment,
    check_account_deletion,
    stored_actor,
)
from app.security.filters import AssignableRolesFilter, ManagedUsersFilter, OwnOrganizationFilter
from app.security.passwords import validate_password_complexity

_FIELDS = [
    "last_name", "first_name", "middle_name", "username", "email", "active", "snils", "birth_date",
    "organization", "department", "position", "care_profiles", "phone", "work_address", "email_notifications", "roles",
]


class StoredRow(Related):
    """A related row by its id, and only a stored one: marshmallow-sqlalchemy's Related turns a dict or
    an unknown id into a new row (a care profile, a role) that the commit then inserts."""

    def _deserialize(self, value, *args, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(str(_l("An integer is expected")))
        # past the id column's range PostgreSQL refuses the query itself
        row = self.session.get(self.related_model, value) if 1 <= value <= MAX_ID else None
        if row is None:
            raise ValidationError(str(_l("There is no entry with this id")))
        return row


class StoredRowsConverter(Model2SchemaConverter):
    """The write schemas' relations as StoredRow fields (the read schemas nest and load nothing), and every
    generated schema with the portal's Russian messages (app/schemas/base.py)."""

    def _meta_schema_factory(self, columns, model, class_mixin, parent_schema_name=None):
        russian = type(class_mixin.__name__, (class_mixin, Schema), {})
        return super()._meta_schema_factory(columns, model, russian, parent_schema_name=parent_schema_name)

    def _column2relation(self, datamodel, column, nested=False, parent_schema_name=None):
        field = super()._column2relation(datamodel, column, nested=nested, parent_schema_name=parent_schema_name)
        if nested:
            return field
        stored = field_for(datamodel.obj, column.name, field_class=StoredRow)
        stored.required, stored.unique = field.required, field.unique
        return stored


def _email(value: str) -> None:
    if not EMAIL_RE.fullmatch(value or ""):  # no stripping: a line break stays an error, not a header
        raise ValidationError(str(_l("Enter a valid e-mail address")))


class AccountInterface(SQLAInterface):
    """FAB answers a refused write with the database's own message (the SQL, on PostgreSQL): here it is
    a Russian sentence, the details go to the log."""

    def add(self, item, commit=True):
        self._refused_in_russian(super().add, item, commit,
                                 message=_l("The account could not be saved: the login, e-mail or SNILS is taken"))

    def edit(self, item, commit=True):
        self._refused_in_russian(super().edit, item, commit,
                                 message=_l("The account could not be saved: the login, e-mail or SNILS is taken"))

    def delete(self, item, commit=True):
        self._refused_in_russian(super().delete, item, commit,
                                 message=_l("The account could not be deleted: other records refer to it"))

    def _refused_in_russian(self, write, item, commit, message):
        try:
            write(item, commit)
        except (SQLAlchemyError, DatabaseException) as error:  # FAB's add raises the former, the rest the latter
            current_app.logger.warning("account write refused by the database: %s", error.__cause__ or error)
            raise AccountRuleError(message) from error


class UserApi(PortalModelRestApi):
    resource_name = "users"
    list_title = _l("User accounts")
    show_title = _l("User account")
    add_title = _l("New user account")
    edit_title = _l("Edit user account")
    # the related rows' columns by the words of «Учётные записи»; copies, since FAB fills in the missing ones
    label_columns = {
        **USER_LABELS,
        "id": _l("ID"),
        "organization.id": _l("Medical organization ID"),
        "organization.short_name": USER_LABELS["organization"],
        "department.id": _l("Department ID"),
        "department.name": USER_LABELS["department"],
        "care_profiles.id": _l("Care profile IDs"),
        "care_profiles.name": USER_LABELS["care_profiles"],
        "roles.id": _l("Role IDs"),
        "roles.name": USER_LABELS["roles"],
    }
    description_columns = dict(USER_DESCRIPTIONS)
    datamodel = AccountInterface(TmkUser)
    model2schemaconverter = StoredRowsConverter
    allow_browser_login = True
    list_columns = ["id", "last_name", "first_name", "middle_name", "username", "organization.id",
                    "organization.short_name", "position", "active", "roles.name"]
    show_columns = ["id", *[f for f in _FIELDS if f not in ("organization", "department", "care_profiles", "roles")],
                    "organization.id", "organization.short_name", "department.id", "department.name",
                    "care_profiles.id", "care_profiles.name", "roles.id", "roles.name", "last_login"]
    add_columns = [*_FIELDS, "password"]
    edit_columns = _FIELDS
    validators_columns = {"email": _email}
    search_columns = ["last_name", "first_name", "username", "organization", "active"]
    order_columns = ["last_name", "first_name", "username"]
    base_filters = [["id", ManagedUsersFilter, lambda: None]]
    add_query_rel_fields = edit_query_rel_fields = {
        "organization": [["id", OwnOrganizationFilter, None]],
        "department": [["organization_id", OwnOrganizationFilter, None]],
        "roles": [["name", AssignableRolesFilter, None]],
    }

    # FAB calls pre_add/pre_update/pre_delete outside its own error handling: a rule broken there is a
    # 422 with the Russian message, like a schema error.
    def post_headless(self):
        return self._answer_rule_errors(super().post_headless)

    def put_headless(self, pk):
        return self._answer_rule_errors(super().put_headless, pk)

    def delete_headless(self, pk):
        return self._answer_rule_errors(super().delete_headless, pk)

    def _answer_rule_errors(self, handler, *args):
        try:
            return handler(*args)
        except AccountRuleError as error:
            self.datamodel.session.rollback()
            return self.response_422(message=str(error))

    @staticmethod
    def _check(item: TmkUser, actor) -> None:
        item.snils = normalize_snils(item.snils) or None
        if item.snils and (error := snils_error(item.snils)):
            raise AccountRuleError(error)
        if error := birth_date_error(item.birth_date):
            raise AccountRuleError(error)
        check_account_assignment(actor, item)

    def pre_add(self, item: TmkUser) -> None:
        actor = stored_actor()
        if item.organization is None and item.organization_id is None:
            item.organization_id = actor.organization_id
        self._check(item, actor)
        try:
            validate_password_complexity(item.password or "")
        except PasswordComplexityValidationError as error:
            raise AccountRuleError(str(error)) from error
        item.password = generate_password_hash(
            item.password, method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt")
        )

    def pre_update(self, item: TmkUser) -> None:
        self._check(item, stored_actor())

    def pre_delete(self, item: TmkUser) -> None:
        check_account_deletion(stored_actor(), item)
