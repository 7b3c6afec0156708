"""Consultation requests (заявки), their patients, history and attached external records."""
import datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.names import PersonName
from app.models.orgs import CareProfile, MedicalOrganization, Route
from app.models.users import TmkUser

STATUS_LABELS = {
    "draft": _l("Draft"),
    "on_approval": _l("On approval"),
    "new": _l("New"),
    "in_work": _l("In work"),
    "awaiting_info": _l("Awaiting information"),
    "signing": _l("Signing"),
    "completed": _l("Completed"),
    "refused": _l("Refused"),
    "cancelled": _l("Cancelled"),
}
FINISHED_STATUSES = ("completed", "refused", "cancelled")
OPEN_STATUSES = tuple(s for s in STATUS_LABELS if s not in FINISHED_STATUSES)

# The goals of the federal telemedicine case (ЕГИСЗ), by code
GOAL_LABELS = {
    1: _l("Establishing or confirming the diagnosis"),
    2: _l("Treatment tactics and diagnostic methods"),
    3: _l("Agreeing a referral to a medical organization"),
    4: _l("Agreeing a transfer to a medical organization"),
    5: _l("Interpretation of examination results"),
    6: _l("Expert assessment of an examination result"),
    7: _l("Clinical case review"),
    8: _l("Remote monitoring"),
    9: _l("Other"),
}
SEX_LABELS = {"male": _l("Male"), "female": _l("Female")}
EXTERNAL_SOURCE_LABELS = {
    "iemk": _l("IEMK: case of care"),
    "odli": _l("ODLI: laboratory result"),
    "odii": _l("ODII: instrumental result"),
}


def utcnow() -> datetime.datetime:
    """Naive UTC, the way every timestamp is stored."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Patient(PersonName, Model):
    """Seen only through the requests one takes part in (app/security/requests.py)."""

    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_name: Mapped[str] = mapped_column(String(64), nullable=False)
    first_name: Mapped[str] = mapped_column(String(64), nullable=False)
    middle_name: Mapped[str | None] = mapped_column(String(64))
    birth_date: Mapped[datetime.date] = mapped_column(Date, nullable=False)
    sex: Mapped[str] = mapped_column(String(10), nullable=False)
    # not unique: a requester who types a known number with other data gets a patient row of his own
    # (app/workflow/validation.py resolve_patient), so that nobody reads another МО's patient
    snils: Mapped[str | None] = mapped_column(String(11), index=True)
    oms_policy: Mapped[str | None] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    def __str__(self) -> str:
        return self.short_name


class RequestNumber(Model):
    """The last request number issued per year; one row locked per new request."""

    __tablename__ = "request_number"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ConsultationRequest(Model):
    __tablename__ = "consultation_request"
    __table_args__ = (
        Index("ix_request_tab_consulting", "consulting_organization_id", "status", "care_profile_id"),
        Index("ix_request_tab_requesting", "requesting_organization_id", "status"),
        Index("ix_request_author_status", "author_id", "status"),
        Index("ix_request_consultant_status", "consultant_id", "status"),
        Index("ix_request_status_created", "status", "created_at"),
        Index("ix_request_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    # a draft may still lack the patient, urgency, mode and goal; submit() requires them
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("route.id"), nullable=False)
    # copied from the route when the request is made: a later route change does not move requests
    care_profile_id: Mapped[int] = mapped_column(ForeignKey("care_profile.id"), nullable=False)
    consulting_organization_id: Mapped[int] = mapped_column(ForeignKey("medical_organization.id"), nullable=False)
    requesting_organization_id: Mapped[int] = mapped_column(ForeignKey("medical_organization.id"), nullable=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    designated_consultant_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    urgency: Mapped[str | None] = mapped_column(String(20))
    mode: Mapped[str | None] = mapped_column(String(20))
    goal: Mapped[int | None] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text, nullable=False, default="")
    anamnesis: Mapped[str] = mapped_column(Text, nullable=False, default="")
    diagnosis_code: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    diagnosis_text: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    consent_given: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    submitted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    received_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    taken_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    due_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    paused_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    video_room: Mapped[str] = mapped_column(String(64), nullable=False)

    patient: Mapped[Patient | None] = relationship()
    route: Mapped[Route] = relationship()
    care_profile: Mapped[CareProfile] = relationship()
    consulting_organization: Mapped[MedicalOrganization] = relationship(foreign_keys=[consulting_organization_id])
    requesting_organization: Mapped[MedicalOrganization] = relationship(foreign_keys=[requesting_organization_id])
    author: Mapped[TmkUser] = relationship(foreign_keys=[author_id])
    consultant: Mapped[TmkUser | None] = relationship(foreign_keys=[consultant_id])
    designated_consultant: Mapped[TmkUser | None] = relationship(foreign_keys=[designated_consultant_id])
    events: Mapped[list["RequestEvent"]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan"
    )
    external_records: Mapped[list["ExternalRecord"]] = relationship(
        back_populates="request", order_by="ExternalRecord.record_date", cascade="all, delete-orphan"
    )

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    def __str__(self) -> str:
        return self.number


class RequestEvent(Model):
    """The history of a request: append-only, one row per action."""

    __tablename__ = "request_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_request.id"), nullable=False, index=True)
    # NULL: the portal itself acted (the deadline monitor)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    request: Mapped[ConsultationRequest] = relationship(back_populates="events")
    actor: Mapped[TmkUser | None] = relationship()


class ExternalRecord(Model):
    """Data attached from ИЭМК / ОДЛИ / ОДИИ; for now entered as references by the requester."""

    __tablename__ = "external_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_request.id"), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(10), nullable=False)
    record_date: Mapped[datetime.date] = mapped_column(Date, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")

    request: Mapped[ConsultationRequest] = relationship(back_populates="external_records")


MISMATCH_FIELD_LABELS = {
    "last_name": _l("last name"),
    "first_name": _l("first name"),
    "middle_name": _l("middle name"),
    "birth_date": _l("birth date"),
}
MATCHED_BY_LABELS = {"snils": _l("SNILS"), "oms_policy": _l("OMS policy")}


class PatientIdentityMismatch(Model):
    """A request whose СНИЛС or полис is known with another name or birth date: for the МО
    administrator to check. Says which data differ, never the other patient's data."""

    __tablename__ = "patient_identity_mismatch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_request.id"), nullable=False, index=True)
    # the МО whose administrator checks it (the request's requesting МО)
    organization_id: Mapped[int] = mapped_column(ForeignKey("medical_organization.id"), nullable=False, index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    matched_by: Mapped[str] = mapped_column(String(30), nullable=False)  # keys of MATCHED_BY_LABELS, comma-separated
    differences: Mapped[str] = mapped_column(String(100), nullable=False)  # keys of MISMATCH_FIELD_LABELS
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    request: Mapped[ConsultationRequest] = relationship()
    organization: Mapped[MedicalOrganization] = relationship()
    author: Mapped[TmkUser] = relationship()

    @property
    def matched_by_label(self) -> str:
        return ", ".join(str(MATCHED_BY_LABELS[key]) for key in self.matched_by.split(","))

    @property
    def differences_label(self) -> str:
        return ", ".join(str(MISMATCH_FIELD_LABELS[key]) for key in self.differences.split(","))


class AuditEvent(Model):
    """Who read or tried to read what: append-only."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    object_type: Mapped[str] = mapped_column(String(30), nullable=False)
    object_id: Mapped[str] = mapped_column(String(40), nullable=False)
    detail: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    remote_addr: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)
