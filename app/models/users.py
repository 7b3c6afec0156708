"""The portal's user: FAB's user plus what a doctor's account needs."""
import datetime

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.names import PersonName
from app.models.orgs import CareProfile, Department, MedicalOrganization

user_care_profile = Table(
    "user_care_profile",
    Model.metadata,
    Column("user_id", Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True),
    Column("care_profile_id", Integer, ForeignKey("care_profile.id"), primary_key=True),
)


class TmkUser(PersonName, User):
    __tablename__ = "ab_user"

    middle_name: Mapped[str | None] = mapped_column(String(64))
    # 11 digits, stored without separators; NULL only for technical accounts
    snils: Mapped[str | None] = mapped_column(String(11), unique=True)
    birth_date: Mapped[datetime.date | None] = mapped_column(Date)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("medical_organization.id"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    position: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    email_notifications: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    organization: Mapped[MedicalOrganization | None] = relationship(foreign_keys=[organization_id])
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    care_profiles: Mapped[list[CareProfile]] = relationship(secondary=user_care_profile)

    def has_role(self, role_name: str) -> bool:
        return any(role.name == role_name for role in self.roles)

    def __str__(self) -> str:
        return self.full_name

    __repr__ = __str__
