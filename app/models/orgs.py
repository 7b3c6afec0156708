"""Medical organisations and the dictionaries the regional administrator keeps."""
import datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

URGENCY_LABELS = {
    "emergency": _l("Emergency"),
    "urgent": _l("Urgent"),
    "planned": _l("Planned"),
}
MODE_LABELS = {
    "sync": _l("Synchronous"),
    "deferred": _l("Deferred"),
    "mixed": _l("Mixed"),
}
ASSIGNMENT_LABELS = {
    "pool": _l("Common queue"),
    "coordinator": _l("Through a coordinator"),
}


class MedicalOrganization(Model):
    __tablename__ = "medical_organization"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(500), unique=True, nullable=False)
    short_name: Mapped[str] = mapped_column(String(150), nullable=False)
    frmo_oid: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    address: Mapped[str | None] = mapped_column(String(500))
    is_consulting: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    allows_drafts: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    departments: Mapped[list["Department"]] = relationship(back_populates="organization")

    def __str__(self) -> str:
        return self.short_name

    __repr__ = __str__


class Department(Model):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("organization_id", "name", name="uq_department_org_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("medical_organization.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(300), nullable=False)

    organization: Mapped[MedicalOrganization] = relationship(back_populates="departments")

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})" if self.organization else self.name

    __repr__ = __str__


class CareProfile(Model):
    """Профиль медицинской помощи."""

    __tablename__ = "care_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.name

    __repr__ = __str__


class Route(Model):
    """Маршрут: which consulting МО answers which care profile, and how."""

    __tablename__ = "route"
    __table_args__ = (
        UniqueConstraint("consulting_organization_id", "care_profile_id", name="uq_route_org_profile"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consulting_organization_id: Mapped[int] = mapped_column(
        ForeignKey("medical_organization.id"), nullable=False, index=True
    )
    care_profile_id: Mapped[int] = mapped_column(ForeignKey("care_profile.id"), nullable=False, index=True)
    allow_emergency: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    allow_urgent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    allow_planned: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    allow_sync: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    allow_deferred: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    allow_mixed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    assignment: Mapped[str] = mapped_column(String(20), nullable=False, default="pool")
    requires_approval: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    note: Mapped[str | None] = mapped_column(Text)

    consulting_organization: Mapped[MedicalOrganization] = relationship()
    care_profile: Mapped[CareProfile] = relationship()

    @property
    def allowed_urgencies(self) -> list[str]:
        return [code for code in URGENCY_LABELS if getattr(self, f"allow_{code}")]

    @property
    def allowed_modes(self) -> list[str]:
        return [code for code in MODE_LABELS if getattr(self, f"allow_{code}")]

    @property
    def urgencies(self) -> str:
        return ", ".join(str(URGENCY_LABELS[code]) for code in self.allowed_urgencies)

    @property
    def modes(self) -> str:
        return ", ".join(str(MODE_LABELS[code]) for code in self.allowed_modes)

    def __str__(self) -> str:
        return f"{self.care_profile} — {self.consulting_organization}"

    __repr__ = __str__


class UrgencyRule(Model):
    """Response times per urgency; a new rule takes over from its «действует с» date."""

    __tablename__ = "urgency_rule"
    __table_args__ = (UniqueConstraint("urgency", "effective_from", name="uq_urgency_rule_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    urgency: Mapped[str] = mapped_column(String(20), nullable=False)
    min_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    max_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    warning_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    effective_from: Mapped[datetime.date] = mapped_column(Date, nullable=False)
    legal_basis: Mapped[str | None] = mapped_column(String(300))

    def __str__(self) -> str:
        return f"{URGENCY_LABELS.get(self.urgency, self.urgency)} ({self.effective_from:%d.%m.%Y})"

    __repr__ = __str__
