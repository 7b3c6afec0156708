"""The portal's marshmallow Schema: every message of its fields and validators is Russian, through gettext.

Field messages are rendered when a schema is made (on_bind_field): the portal makes its schemas per request,
and FAB's generated ones once, in the default (Russian) locale. Validators' messages carry numbers, so they
stay lazy and are rendered when a value fails. Stock Length/Range/OneOf validators (ours and those that
marshmallow-sqlalchemy generates for FAB's schemas) are replaced by their Russian subclasses on binding.
"""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema as MarshmallowSchema
from marshmallow import fields, validate

REQUIRED = _l("Required field")

# the messages every field has, then those of a field type (the first matching class wins)
COMMON_MESSAGES = {"required": REQUIRED, "null": _l("The field may not be null"),
                   "validator_failed": _l("Invalid value")}
TYPE_MESSAGES = [
    (fields.Email, {"invalid": _l("Not a valid e-mail address")}),
    (fields.String, {"invalid": _l("A string is expected"), "invalid_utf8": _l("A string is expected")}),
    (fields.Integer, {"invalid": _l("An integer is expected"), "too_large": _l("Invalid value")}),
    (fields.Number, {"invalid": _l("Invalid value"), "too_large": _l("Invalid value"), "special": _l("Invalid value")}),
    (fields.Boolean, {"invalid": _l("true or false is expected")}),
    (fields.Date, {"invalid": _l("A date YYYY-MM-DD is expected"), "format": _l("Invalid value")}),
    (fields.DateTime, {"invalid": _l("A date and time YYYY-MM-DDTHH:MM:SS is expected"),
                       "invalid_awareness": _l("A date and time YYYY-MM-DDTHH:MM:SS is expected"),
                       "format": _l("Invalid value")}),
    (fields.Nested, {"type": _l("Wrong type of data")}),
    (fields.List, {"invalid": _l("A list is expected")}),
    (fields.Dict, {"invalid": _l("Wrong type of data")}),
]


class Length(validate.Length):
    """Length in Russian: an empty required text is «Обязательное поле»."""

    def _format_error(self, value, message) -> str:
        if self.error is not None:
            return super()._format_error(value, message)
        if self.min is not None and self.max is not None:
            text = _l("From %(min)s to %(max)s characters")
        elif self.min == 1:
            text = REQUIRED
        elif self.min is not None:
            text = _l("At least %(min)s characters")
        else:
            text = _l("At most %(max)s characters")
        return str(text) % {"min": self.min, "max": self.max}


class Range(validate.Range):
    """Range in Russian (the portal's ranges have both ends)."""

    def _format_error(self, value, message) -> str:
        if self.error is not None:
            return super()._format_error(value, message)
        return str(_l("A number from %(min)s to %(max)s")) % {"min": self.min, "max": self.max}


class OneOf(validate.OneOf):
    def _format_error(self, value) -> str:
        return str(_l("Choose one of the allowed values"))


RUSSIAN_VALIDATORS = {validate.Length: Length, validate.Range: Range, validate.OneOf: OneOf}


def _russian(validator):
    """The Russian twin of a stock validator without its own message; any other validator as it is."""
    twin = RUSSIAN_VALIDATORS.get(type(validator))
    # OneOf keeps its English default_message as its error; the others keep None
    if twin is None or validator.error not in (None, getattr(validator, "default_message", None)):
        return validator
    if twin is OneOf:
        return OneOf(validator.choices, validator.labels)
    if twin is Range:
        return Range(validator.min, validator.max, min_inclusive=validator.min_inclusive,
                     max_inclusive=validator.max_inclusive)
    return Length(validator.min, validator.max, equal=validator.equal)


class Schema(MarshmallowSchema):
    """The base of the portal's schemas; FAB's generated ones mix it in (app/api/users.py)."""

    error_messages = {"unknown": _l("Unknown field"), "type": _l("Wrong type of data")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = {key: str(text) for key, text in self.error_messages.items()}

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        messages = dict(COMMON_MESSAGES)
        messages.update(next((texts for kind, texts in TYPE_MESSAGES if isinstance(field_obj, kind)), {}))
        field_obj.error_messages = {**field_obj.error_messages, **{key: str(text) for key, text in messages.items()}}
        field_obj.validators = [_russian(validator) for validator in field_obj.validators]
        if isinstance(field_obj, fields.List):  # the items' field is not bound by itself
            self.on_bind_field(field_name, field_obj.inner)
        super().on_bind_field(field_name, field_obj)


def max_length(schema: type[MarshmallowSchema], name: str) -> int | None:
    """The longest text a schema's field takes: a form's input shows it as its maxlength."""
    return next((v.max for v in schema._declared_fields[name].validators if isinstance(v, validate.Length)), None)


def load_partial(schema: MarshmallowSchema, data: dict) -> dict:
    """A form's data through the schema of its operation. A form posts every field and a draft may leave
    any of them empty: empty values are left out and the rest is loaded as partial (the workflow then
    says what a submission still lacks)."""
    def filled(value):
        if isinstance(value, dict):
            return {key: item for key, item in ((k, filled(v)) for k, v in value.items()) if item not in ("", None)}
        if isinstance(value, list):
            return [filled(item) for item in value]
        return value
    return schema.load(filled(data), partial=True)


def flat_messages(messages, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages as field → its first message, nested names joined by "-"
    ("patient-snils", "external_records-0-title"): the shape of the workflow's InvalidInput.fields."""
    if isinstance(messages, dict):
        flat = {}
        for key, value in messages.items():
            flat.update(flat_messages(value, f"{prefix}-{key}" if prefix else str(key)))
        return flat
    if isinstance(messages, list) and messages and not isinstance(messages[0], (dict, list)):
        return {prefix: str(messages[0])}
    return {prefix: str(messages)}
