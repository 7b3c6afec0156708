"""A document of one patient sent to the request of another (issue 13, item 5): the sender confirms it first,
asked with both patients named; without the confirmation the server refuses, so no client can skip it."""
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from app.core.errors import WorkflowError
from app.documents.library import request_links
from app.models import ConsultationRequest as CR
from app.models import Patient
from app.security.requests import visible_requests_clause

# the body field a client sets to true to confirm (the refusal names it, so a client knows what to send)
CONFIRM_FIELD = "other_patient_confirmed"


class OtherPatient(WorkflowError):
    """The question to ask; the client sends again with CONFIRM_FIELD true."""

    http_status = 409


def _person(patient: Patient) -> tuple:
    # patient rows are not unique per person (app/models/requests.py): the same person is the same
    # name and birth date, not the same row
    names = (patient.last_name, patient.first_name, patient.middle_name or "")
    return (*(name.strip().casefold() for name in names), patient.birth_date)


def check_same_patient(session: Session, sender, document_id: int, consultation: CR, confirmed: bool) -> None:
    """Raise OtherPatient if the document belongs (attached or posted) to a request of another patient that
    the sender sees — a request he does not see is not named to him."""
    if confirmed or consultation.patient is None:
        return
    linked = [request_id for request_id, _number in request_links(session, [document_id]).get(document_id, [])
              if request_id != consultation.id]
    if not linked:
        return
    requests = (session.query(CR).filter(CR.id.in_(linked), CR.patient_id.is_not(None), visible_requests_clause(sender))
                .options(joinedload(CR.patient)).order_by(CR.id).all())
    other = next((r.patient for r in requests if _person(r.patient) != _person(consultation.patient)), None)
    if other is not None:
        # the initials' last period ends the sentence too: «Пациентов П. П. Прикрепить…», not «П. П.. »
        raise OtherPatient(_l("The document belongs to the patient %(other)s. Attach it to the request of the "
                              "patient %(this)s?", other=other.short_name.removesuffix("."),
                              this=consultation.patient.short_name))
