"""What every API of the portal shares: JSON in through a schema (app/schemas: Russian messages), workflow
errors out as 409/422 with Russian messages, and every model API's `_info` without the catalog's header."""
from flask import request
from flask_appbuilder.api import ModelRestApi
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError

from app.core.errors import InvalidInput, WorkflowError


def load_json(schema: Schema, body) -> tuple[dict | None, tuple[int, object] | None]:
    """The body loaded through ``schema``, or the (status, message) of the answer that refuses it."""
    if not isinstance(body, dict):
        return None, (400, str(_l("The request body must be a JSON object")))
    if not all(isinstance(key, str) for key in body):  # a multipart part without a name reads as key None
        return None, (400, str(_l("Every field of the form needs a name")))
    try:
        return schema.load(body), None
    except ValidationError as error:
        return None, (422, error.messages)


class WorkflowApiMixin:
    """JSON in through a schema, workflow errors out as 409/422 with Russian messages."""

    def _json(self, schema: Schema):
        body, refused = load_json(schema, request.get_json(silent=True))
        return body, refused and self.response(refused[0], message=refused[1])

    def _workflow_error(self, error: WorkflowError):
        payload = {"message": error.message}
        if isinstance(error, InvalidInput) and error.fields:
            payload["fields"] = error.fields
        return self.response(error.http_status, **payload)


class PortalModelRestApi(ModelRestApi):
    """The portal's FAB model APIs. FAB's `_info` translates a column without a description as _(""),
    and gettext("") is the translation catalog's header: such a column's description stays empty."""

    def _get_field_info(self, field, *args, **kwargs):
        info = super()._get_field_info(field, *args, **kwargs)
        if not self.description_columns.get(field.name):
            info["description"] = ""
        return info
