"""A chat message as the API's body loads it (the socket's payload carries the same fields)."""
from marshmallow import fields, validate

from app.schemas.base import Schema
from app.schemas.identifiers import MAX_ID

MAX_TEXT = 4000
# what the chat's recorder records (app/workflow/chat.py RECORDING_TYPES keeps each one's file types)
RECORDED_KINDS = ("audio", "video")


class MessageSchema(Schema):
    text = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
    client_id = fields.String(load_default=None, validate=validate.Length(max=64),
                              metadata={"description": "the client's id of the message: a retried send is stored once"})
    document_id = fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID), metadata={
        "description": "a document from «Документы» (one the sender may read) sent instead of a new file"})
    other_patient_confirmed = fields.Boolean(load_default=False, metadata={
        "description": "with document_id: the sender confirmed sending a document of another patient's request "
                       "(without it such a document is refused with 409 and the question to ask)"})
    recorded = fields.String(load_default=None, validate=validate.OneOf(RECORDED_KINDS), metadata={
        "description": "with a file: it was recorded by the chat's recorder, the message is audio or video"})
