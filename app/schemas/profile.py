"""The own profile's tabs (manual §4.1–4.2), one schema per form: what each takes and its format rules.
What needs the database (a СНИЛС or e-mail taken by another account, the current password) is checked
by the view through app/security."""
import datetime
import math
import re

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, validate, validates, validates_schema

from app.documents.photos import MAX_ZOOM
from app.models.users import EMAIL_EVENT_GROUPS
from app.schemas.base import Schema
from app.schemas.identifiers import EMAIL_RE, birth_date_error, normalize_snils, snils_error

DATE_FORMAT = "%d.%m.%Y"
PHONE_RE = re.compile(r"[0-9+()\- ]{5,32}")


def _filled(longest: int) -> list:
    """Required and not empty («Обязательное поле»), at most ``longest`` characters."""
    return [validate.Length(min=1), validate.Length(max=longest)]


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class _Stripped(fields.String):
    """A text field whose surrounding spaces (and a line break pasted with it) are not kept."""

    def _deserialize(self, value, attr, data, **kwargs):
        return _stripped(super()._deserialize(value, attr, data, **kwargs))


class InfoSchema(Schema):
    """«Информация»: what the doctor changes himself — his name, СНИЛС and birth date (§4.1); the
    rest of the tab (position, МО, department, profiles, roles) is the administrator's."""

    last_name = _Stripped(required=True, validate=_filled(64))
    first_name = _Stripped(required=True, validate=_filled(64))
    middle_name = _Stripped(load_default="", validate=validate.Length(max=64))
    snils = _Stripped(load_default="", validate=validate.Length(max=20))
    birth_date = _Stripped(load_default="", validate=validate.Length(max=10),
                           metadata={"description": "ДД.ММ.ГГГГ"})

    @validates("snils")
    def _snils(self, value, **_):
        if value and (error := snils_error(value)):
            raise ValidationError(str(error))

    @validates("birth_date")
    def _birth_date(self, value, **_):
        if value:
            error = birth_date_error(_date(value))
            if error:
                raise ValidationError(str(error))

    @post_load
    def _normalized(self, data, **_):
        data["snils"] = normalize_snils(data.get("snils")) or None
        data["birth_date"] = _date(data["birth_date"]) if data.get("birth_date") else None
        data["middle_name"] = data.get("middle_name") or None
        return data


def _date(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, DATE_FORMAT).date()
    except ValueError:
        raise ValidationError(str(_l("Enter the date as DD.MM.YYYY"))) from None


class ContactsSchema(Schema):
    """«Контакты»: where the doctor is reached; the e-mail also receives the notifications (§4.2)."""

    email = _Stripped(required=True, validate=_filled(320))
    phone = _Stripped(load_default="", validate=validate.Length(max=32))
    work_address = _Stripped(load_default="", validate=validate.Length(max=300))

    @validates("email")
    def _email(self, value, **_):
        if not EMAIL_RE.fullmatch(value):
            raise ValidationError(str(_l("Enter a valid e-mail address")))

    @validates("phone")
    def _phone(self, value, **_):
        if value and not PHONE_RE.fullmatch(value):
            raise ValidationError(str(_l("A phone number has digits, spaces, +, - and brackets, e.g. +7 812 123-45-67")))

    @post_load
    def _empty_is_none(self, data, **_):
        return {key: value if key == "email" else (value or None) for key, value in data.items()}


class PasswordSchema(Schema):
    """«Доступ»: a new password, given with the current one (its rules: app/security/passwords.py)."""

    current_password = fields.String(required=True, validate=_filled(256))
    password = fields.String(required=True, validate=_filled(256))
    conf_password = fields.String(required=True, validate=_filled(256))

    @validates_schema
    def _same(self, data, **_):
        if data.get("conf_password") != data.get("password"):
            raise ValidationError(str(_l("The passwords do not match")), "conf_password")


class NotificationsSchema(Schema):
    """«Настройка уведомлений»: per group of request events, under the bell and by e-mail."""

    portal_events = fields.List(fields.String(validate=validate.OneOf(EMAIL_EVENT_GROUPS)), load_default=list)
    email_events = fields.List(fields.String(validate=validate.OneOf(EMAIL_EVENT_GROUPS)), load_default=list)
    email_notifications = fields.Boolean(load_default=False)


def _a_number(value: float) -> None:
    """«nan» reads as a float that every range lets through."""
    if math.isnan(value):
        raise ValidationError(str(_l("Invalid value")))


class PhotoSquareSchema(Schema):
    """«Изображения»: which square of the picture is kept (the page's preview sets it; the centre without it)."""

    crop_x = fields.Float(load_default=0.5, validate=[validate.Range(0, 1), _a_number])
    crop_y = fields.Float(load_default=0.5, validate=[validate.Range(0, 1), _a_number])
    crop_zoom = fields.Float(load_default=1.0, validate=[validate.Range(1, MAX_ZOOM), _a_number])
