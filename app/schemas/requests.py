"""A request's content, as the API's body and the form's data load it (the workflow then checks what needs
the database: the route, its urgencies and modes, completeness for a submission)."""
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from app.models import EXTERNAL_SOURCE_LABELS, MODE_LABELS, SEX_LABELS, URGENCY_LABELS
from app.schemas.base import Schema
from app.schemas.identifiers import MAX_ID

# ids are INTEGER columns (app/schemas/identifiers.py MAX_ID)
ID_RANGE = validate.Range(1, MAX_ID)
# more than a consultant reads; the API took 5 000 before
MAX_EXTERNAL_RECORDS = 100


class PatientSchema(Schema):
    last_name = fields.String(required=True, validate=validate.Length(max=64))
    first_name = fields.String(required=True, validate=validate.Length(max=64))
    middle_name = fields.String(load_default="", validate=validate.Length(max=64))
    birth_date = fields.Date(required=True)
    sex = fields.String(required=True, validate=validate.OneOf(list(SEX_LABELS)))
    snils = fields.String(load_default="", validate=validate.Length(max=20))
    oms_policy = fields.String(load_default="", validate=validate.Length(max=16))


class ExternalRecordSchema(Schema):
    source = fields.String(required=True, validate=validate.OneOf(list(EXTERNAL_SOURCE_LABELS)))
    record_date = fields.Date(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    summary = fields.String(load_default="", validate=validate.Length(max=4000))


class CreateRequestSchema(Schema):
    route = fields.Integer(required=True, validate=ID_RANGE, metadata={"description": "id from GET /api/v1/routes/"})
    urgency = fields.String(validate=validate.OneOf(list(URGENCY_LABELS)), load_default=None)
    mode = fields.String(validate=validate.OneOf(list(MODE_LABELS)), load_default=None)
    goal = fields.Integer(load_default=None, validate=validate.Range(1, 9),
                          metadata={"description": "1–9, the goals of the federal case"})
    question = fields.String(load_default="", validate=validate.Length(max=4000))
    anamnesis = fields.String(load_default="", validate=validate.Length(max=20000))
    diagnosis_code = fields.String(load_default="", validate=validate.Length(max=10))
    diagnosis_text = fields.String(load_default="", validate=validate.Length(max=500))
    consent_given = fields.Boolean(load_default=False)
    patient = fields.Nested(PatientSchema, load_default=None)
    external_records = fields.List(fields.Nested(ExternalRecordSchema), load_default=list, validate=validate.Length(
        max=MAX_EXTERNAL_RECORDS, error=_l("At most %(count)d external records per request", count=MAX_EXTERNAL_RECORDS)))
    submit = fields.Boolean(load_default=False, metadata={"description": "true: submit at once, else a draft"})


class ActionSchema(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=4000))
    reason = fields.String(load_default="", validate=validate.Length(max=4000))
    consultant_id = fields.Integer(load_default=None, validate=ID_RANGE)
