"""Making requests in tests through the workflow, as the portal does."""
import datetime
import uuid

from app.extensions import db
from app.models import CareProfile, MedicalOrganization, Route, TmkUser
from app.workflow.requests import save_request
from app.workflow.validation import PatientData, RequestData


def user(username: str) -> TmkUser:
    return db.session.query(TmkUser).filter_by(username=username).one()


def route(profile: str, org_short: str) -> Route:
    return (db.session.query(Route).join(Route.care_profile).join(Route.consulting_organization)
            .filter(CareProfile.name == profile, MedicalOrganization.short_name == org_short).one())


def unique_policy() -> str:
    return f"{uuid.uuid4().int % 10**16:016d}"


def request_data(profile="Кардиология", org="ГКБ № 1", urgency="urgent", **changes) -> RequestData:
    data = RequestData(
        route_id=route(profile, org).id, urgency=urgency, mode="deferred", goal=2,
        question="Нужна ли коронарография?", anamnesis="Боли за грудиной 3 дня.",
        diagnosis_code="I20.0", diagnosis_text="Нестабильная стенокардия", consent_given=True,
        patient=PatientData(last_name="Пациентов", first_name="Пётр", middle_name="Петрович",
                            birth_date=datetime.date(1960, 5, 17), sex="male", oms_policy=unique_policy()),
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def new_request(author="requester1", submit=True, **changes):
    return save_request(user(author), request_data(**changes), submit=submit)
