"""The conclusion's form, as the API's body and the page's form load it (the workflow adds what needs the
whole conclusion: lines, totals, completeness for rendering)."""
from marshmallow import fields, validate

from app.models import MODE_LABELS
from app.schemas.base import Schema

MAX_TEXT = 20000


class ConclusionSchema(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    condition = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    diagnosis_code = fields.String(required=True, validate=validate.Length(min=1, max=10),
                                   metadata={"description": "МКБ-10, e.g. I20.0"})
    diagnosis_text = fields.String(required=True, validate=validate.Length(min=1, max=500))
    mode = fields.String(required=True, validate=validate.OneOf(list(MODE_LABELS)))
    concomitant = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
    recommendations_diagnostics = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
    recommendations_treatment = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
    recommendations_transfer = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
    recommendations_in_person = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
    documents_reviewed = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
