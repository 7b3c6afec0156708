"""A video call as the API's body asks for it (``POST /api/v1/requests/<id>/video/call``)."""
from marshmallow import fields, validate

from app.models.calls import CALL_TARGETS
from app.schemas.base import Schema


class CallSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf(CALL_TARGETS), metadata={
        "description": "consultant: the consultant who holds the request; all: every participant of its chat "
                       "but the caller"})
