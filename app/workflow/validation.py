"""The content of a request: what a form or the API hands to the workflow, and its checks."""
import dataclasses
import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlalchemy.orm import Session

from app.models import (
    EXTERNAL_SOURCE_LABELS,
    GOAL_LABELS,
    SEX_LABELS,
    ConsultationRequest,
    Patient,
    PatientIdentityMismatch,
    Route,
)
from app.schemas.base import REQUIRED
from app.schemas.identifiers import birth_date_error, is_icd10, normalize_snils, oms_error, snils_error
from app.schemas.requests import MAX_EXTERNAL_RECORDS


@dataclasses.dataclass
class PatientData:
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    birth_date: datetime.date | None = None
    sex: str = ""
    snils: str = ""
    oms_policy: str = ""


@dataclasses.dataclass
class ExternalRecordData:
    source: str = ""
    record_date: datetime.date | None = None
    title: str = ""
    summary: str = ""


@dataclasses.dataclass
class RequestData:
    route_id: int | None = None
    urgency: str | None = None
    mode: str | None = None
    goal: int | None = None
    question: str = ""
    anamnesis: str = ""
    diagnosis_code: str = ""
    diagnosis_text: str = ""
    consent_given: bool = False
    patient: PatientData | None = None
    external_records: list[ExternalRecordData] = dataclasses.field(default_factory=list)


def request_data(body: dict) -> RequestData:
    """The content loaded through app/schemas/requests.py CreateRequestSchema (the API's body, the form's
    data), trimmed as stored."""
    patient = body.get("patient")
    return RequestData(
        route_id=body["route"], urgency=body.get("urgency"), mode=body.get("mode"), goal=body.get("goal"),
        question=body.get("question", "").strip(), anamnesis=body.get("anamnesis", "").strip(),
        diagnosis_code=body.get("diagnosis_code", "").strip().upper(),
        diagnosis_text=body.get("diagnosis_text", "").strip(), consent_given=body.get("consent_given", False),
        patient=PatientData(**patient) if patient else None,
        external_records=[ExternalRecordData(**r) for r in body.get("external_records", [])],
    )


def check_complete(session: Session, data: RequestData, for_submit: bool) -> dict[str, str]:
    """Field name → Russian message. A draft needs only an active route; a submission everything."""
    problems: dict[str, str] = {}
    route = session.get(Route, data.route_id) if data.route_id else None
    if route is None or not route.is_active:
        problems["route_id"] = str(_l("Choose an active route"))
        return problems
    if data.urgency and data.urgency not in route.allowed_urgencies:
        problems["urgency"] = str(_l("This route does not take this urgency"))
    if data.mode and data.mode not in route.allowed_modes:
        problems["mode"] = str(_l("This route does not take this mode"))
    if data.goal is not None and data.goal not in GOAL_LABELS:
        problems["goal"] = str(_l("Choose a goal from the list"))
    if data.diagnosis_code and not is_icd10(data.diagnosis_code):
        problems["diagnosis_code"] = str(_l("Enter an ICD-10 code such as I21.0"))
    if len(data.external_records) > MAX_EXTERNAL_RECORDS:
        problems["external_records"] = str(_l("At most %(count)d external records per request",
                                              count=MAX_EXTERNAL_RECORDS))
    today = datetime.date.today()
    for index, record in enumerate(data.external_records[:MAX_EXTERNAL_RECORDS]):
        if record.source not in EXTERNAL_SOURCE_LABELS or not record.title.strip() or record.record_date is None:
            problems[f"external_records-{index}"] = str(_l("Give the source, date and title of the record"))
        elif record.record_date > today:
            problems[f"external_records-{index}"] = str(_l("The date of the record is in the future"))
    if data.patient is not None:
        problems.update(_patient_problems(data.patient, for_submit))
    if for_submit:
        for field in ("urgency", "mode", "goal", "question", "anamnesis", "diagnosis_code", "diagnosis_text"):
            if not getattr(data, field) and field not in problems:
                problems[field] = str(REQUIRED)
        if data.patient is None:
            problems["patient"] = str(_l("Enter the patient"))
        if not data.consent_given:
            problems["consent_given"] = str(_l("The patient's informed consent is required"))
    return problems


def _patient_problems(patient: PatientData, for_submit: bool) -> dict[str, str]:
    problems = {}
    if patient.snils and (error := snils_error(patient.snils)):
        problems["patient-snils"] = str(error)
    if error := oms_error(patient.oms_policy):
        problems["patient-oms_policy"] = str(error)
    if patient.sex and patient.sex not in SEX_LABELS:
        problems["patient-sex"] = str(_l("Choose the sex"))
    if error := birth_date_error(patient.birth_date):
        problems["patient-birth_date"] = str(error)
    # a patient is stored with these even in a draft (the API's PatientSchema requires them too)
    for field in ("last_name", "first_name", "birth_date", "sex"):
        value = getattr(patient, field)
        if not (value.strip() if isinstance(value, str) else value):  # a name of spaces is no name
            problems[f"patient-{field}"] = str(REQUIRED)
    if for_submit and not patient.snils and not patient.oms_policy:
        problems["patient-snils"] = str(_l("Enter the SNILS or the OMS policy"))
    return problems


NAME_AND_BIRTH = ("last_name", "first_name", "middle_name", "birth_date")


def _typed(data: PatientData) -> dict:
    """The patient's columns exactly as the requester typed them."""
    return {"last_name": data.last_name.strip(), "first_name": data.first_name.strip(),
            "middle_name": data.middle_name.strip() or None, "birth_date": data.birth_date, "sex": data.sex,
            "snils": normalize_snils(data.snils) or None, "oms_policy": data.oms_policy or None}


def _comparable(value):
    return value.casefold() if isinstance(value, str) else value


def resolve_patient(session: Session, data: PatientData, request: ConsultationRequest) -> Patient:
    """The patient of ``request`` as typed, never another requester's data (issue 11, item 4).

    A stored patient is reused only when every column equals what was typed, so whatever a request shows
    is what its requester entered; otherwise the request gets (or keeps, for a draft) a row of its own.
    A СНИЛС or полис known with another name or birth date is recorded silently for the requesting МО's
    administrator, who learns which data differ, not the other patient's. The answer is the same either way.
    """
    typed = _typed(data)
    own = request.patient
    if own is not None and request.id is not None and session.query(ConsultationRequest.id).filter(
            ConsultationRequest.patient_id == own.id, ConsultationRequest.id != request.id).first():
        own = None  # shared with another request: not ours to change
    criteria = [column == typed[column.key] for column in (Patient.snils, Patient.oms_policy) if typed[column.key]]
    known = session.query(Patient).filter(or_(*criteria)).order_by(Patient.id).all() if criteria else []
    known = [patient for patient in known if patient is not own]
    patient = next((p for p in known if all(getattr(p, key) == value for key, value in typed.items())), None)
    if patient is None:
        patient = own or Patient()
        for key, value in typed.items():
            setattr(patient, key, value)
    elif own is not None:
        session.delete(own)  # the draft's own row, replaced by an identical stored one
    _record_mismatch(session, request, typed, [p for p in known if p is not patient])
    return patient


def _record_mismatch(session: Session, request: ConsultationRequest, typed: dict, known: list[Patient]) -> None:
    differences = [key for key in NAME_AND_BIRTH
                   if any(_comparable(getattr(p, key)) != _comparable(typed[key]) for p in known)]
    if not differences:
        return
    matched_by = [key for key in ("snils", "oms_policy")
                  if typed[key] and any(getattr(p, key) == typed[key] for p in known)]
    values = {"matched_by": ",".join(matched_by), "differences": ",".join(differences)}
    if request.id is not None and session.query(PatientIdentityMismatch.id).filter_by(
            request_id=request.id, **values).first():
        return  # a draft saved again with the same data
    session.add(PatientIdentityMismatch(request=request, organization_id=request.requesting_organization_id,
                                        author_id=request.author_id, **values))


def data_of(request) -> RequestData:
    """What a stored request (a draft) says, in the shape the checks take."""
    patient = request.patient
    return RequestData(
        route_id=request.route_id, urgency=request.urgency, mode=request.mode, goal=request.goal,
        question=request.question, anamnesis=request.anamnesis, diagnosis_code=request.diagnosis_code,
        diagnosis_text=request.diagnosis_text, consent_given=request.consent_given,
        patient=None if patient is None else PatientData(
            last_name=patient.last_name, first_name=patient.first_name, middle_name=patient.middle_name or "",
            birth_date=patient.birth_date, sex=patient.sex, snils=patient.snils or "",
            oms_policy=patient.oms_policy or ""),
        external_records=[ExternalRecordData(source=r.source, record_date=r.record_date, title=r.title,
                                             summary=r.summary) for r in request.external_records],
    )
