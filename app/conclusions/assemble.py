"""The printable content of a conclusion, assembled from the request, its patient and the form."""
import datetime

from app.conclusions.content import ConclusionContent
from app.models import MODE_LABELS, URGENCY_LABELS
from app.schemas.formatting import format_date, format_datetime
from app.schemas.identifiers import format_snils


def content_of(conclusion, concluded_at: datetime.datetime) -> ConclusionContent:
    request, patient, consultant = conclusion.request, conclusion.request.patient, conclusion.author
    return ConclusionContent(
        requesting_organization=request.requesting_organization.name,
        consulting_organization=request.consulting_organization.name,
        number=request.number,
        urgency=str(URGENCY_LABELS.get(request.urgency, "")),
        received_at=format_datetime(request.received_at),
        concluded_at=format_datetime(concluded_at),
        patient_name=patient.full_name if patient else "",
        patient_birth_date=format_date(patient.birth_date) if patient else "",
        patient_snils=format_snils(patient.snils) if patient else "",
        patient_policy=(patient.oms_policy or "") if patient else "",
        question=request.question,
        answer=conclusion.answer,
        condition=conclusion.condition,
        diagnosis_code=conclusion.diagnosis_code,
        diagnosis_text=conclusion.diagnosis_text,
        concomitant=conclusion.concomitant,
        recommendations_diagnostics=conclusion.recommendations_diagnostics,
        recommendations_treatment=conclusion.recommendations_treatment,
        recommendations_transfer=conclusion.recommendations_transfer,
        recommendations_in_person=conclusion.recommendations_in_person,
        documents_reviewed=conclusion.documents_reviewed,
        mode=str(MODE_LABELS.get(conclusion.mode, "")),
        consultant_name=consultant.full_name,
        consultant_position=consultant.position or "",
        # the consultant's specialty in this consultation is the request's care profile
        consultant_specialty=request.care_profile.name,
    )
