"""The content of a request: what a form or the API hands to the workflow, and its checks."""
import dataclasses
import datetime
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlalchemy.orm import Session

from app.models import EXTERNAL_SOURCE_LABELS, GOAL_LABELS, SEX_LABELS, Patient, Route
from app.validators import normalize_snils, snils_error
from app.workflow.errors import InvalidInput

ICD10_RE = re.compile(r"^[A-Z]\d{2}(\.\d{1,2})?$")
OMS_RE = re.compile(r"^\d{16}$")


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
    source: str
    record_date: datetime.date
    title: str
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


REQUIRED = _l("Required field")


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
    if data.diagnosis_code and not ICD10_RE.fullmatch(data.diagnosis_code):
        problems["diagnosis_code"] = str(_l("Enter an ICD-10 code such as I21.0"))
    for index, record in enumerate(data.external_records):
        if record.source not in EXTERNAL_SOURCE_LABELS or not record.title.strip():
            problems[f"external_records-{index}"] = str(_l("Give the source, date and title of the record"))
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
    if patient.oms_policy and not OMS_RE.fullmatch(patient.oms_policy):
        problems["patient-oms_policy"] = str(_l("The OMS policy number has 16 digits"))
    if patient.sex and patient.sex not in SEX_LABELS:
        problems["patient-sex"] = str(_l("Choose the sex"))
    if patient.birth_date and patient.birth_date > datetime.date.today():
        problems["patient-birth_date"] = str(_l("The birth date is in the future"))
    if for_submit or patient.snils or patient.oms_policy:
        for field in ("last_name", "first_name", "birth_date", "sex"):
            if not getattr(patient, field):
                problems[f"patient-{field}"] = str(REQUIRED)
        if not patient.snils and not patient.oms_policy:
            problems["patient-snils"] = str(_l("Enter the SNILS or the OMS policy"))
    return problems


def resolve_patient(session: Session, data: PatientData) -> Patient:
    """The patient found by СНИЛС or полис ОМС, else a new one. A found patient keeps his stored data;
    a different name or birth date for the same number is refused rather than mixed up."""
    snils = normalize_snils(data.snils) or None
    policy = data.oms_policy or None
    criteria = [c for c in (Patient.snils == snils if snils else None,
                            Patient.oms_policy == policy if policy else None) if c is not None]
    found = session.query(Patient).filter(or_(*criteria)).all() if criteria else []
    if len(found) > 1:
        raise InvalidInput(_l("The SNILS and the OMS policy belong to different patients"))
    if found:
        patient = found[0]
        same = (patient.last_name.lower() == data.last_name.strip().lower()
                and patient.birth_date == data.birth_date)
        if not same:
            raise InvalidInput(_l("A patient with this SNILS or OMS policy is registered with another "
                                  "name or birth date: check the numbers"),
                               fields={"patient-snils": str(_l("Check the SNILS and the OMS policy"))})
        patient.snils = patient.snils or snils
        patient.oms_policy = patient.oms_policy or policy
        return patient
    return Patient(last_name=data.last_name.strip(), first_name=data.first_name.strip(),
                   middle_name=data.middle_name.strip() or None, birth_date=data.birth_date, sex=data.sex,
                   snils=snils, oms_policy=policy)



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
