"""What every API of the portal shares: marshmallow's messages in Russian, JSON in through a schema,
workflow errors out as 409/422 with Russian messages."""
import re

from flask import request
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError

from app.core.errors import InvalidInput, WorkflowError

# marshmallow's English messages, as our users read them
SCHEMA_MESSAGES = {
    "Missing data for required field.": _l("Required field"),
    "Not a valid integer.": _l("An integer is expected"),
    "Not a valid string.": _l("A string is expected"),
    "Not a valid boolean.": _l("true or false is expected"),
    "Not a valid date.": _l("A date YYYY-MM-DD is expected"),
    "Unknown field.": _l("Unknown field"),
    "Invalid input type.": _l("Wrong type of data"),
    "Invalid value.": _l("Invalid value"),
    "Not a valid list.": _l("A list is expected"),
    "Field may not be null.": _l("The field may not be null"),
    "Not a valid email address.": _l("Not a valid e-mail address"),
    "Not a valid datetime.": _l("A date and time YYYY-MM-DDTHH:MM:SS is expected"),
}


# marshmallow's messages with numbers in them: pattern → Russian (the numbers by name)
SCHEMA_PATTERNS = [
    (re.compile(r"Shorter than minimum length 1\.$"), _l("Required field")),
    (re.compile(r"Longer than maximum length (?P<max>\d+)\.$"), _l("At most %(max)s characters")),
    (re.compile(r"Shorter than minimum length (?P<min>\d+)\.$"), _l("At least %(min)s characters")),
    (re.compile(r"Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
     _l("From %(min)s to %(max)s characters")),
    (re.compile(r"Must be greater than or equal to (?P<min>\d+) and less than or equal to (?P<max>\d+)\.$"),
     _l("A number from %(min)s to %(max)s")),
    (re.compile(r"Must be one of"), _l("Choose one of the allowed values")),
]


def russian_messages(messages):
    if isinstance(messages, dict):
        return {key: russian_messages(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [russian_messages(value) for value in messages]
    if isinstance(messages, str):
        for pattern, russian in SCHEMA_PATTERNS:
            found = pattern.match(messages)
            if found:
                return str(russian) % found.groupdict()
    return str(SCHEMA_MESSAGES.get(messages, messages))


class WorkflowApiMixin:
    """JSON in through a schema, workflow errors out as 409/422 with Russian messages."""

    def _json(self, schema: Schema):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None, self.response_400(message=str(_l("The request body must be a JSON object")))
        try:
            return schema.load(body), None
        except ValidationError as error:
            return None, self.response(422, message=russian_messages(error.messages))

    def _workflow_error(self, error: WorkflowError):
        payload = {"message": error.message}
        if isinstance(error, InvalidInput) and error.fields:
            payload["fields"] = error.fields
        return self.response(error.http_status, **payload)
