"""The portal's user: FAB's user plus what a doctor's account needs."""
import datetime
from typing import NamedTuple

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.names import PersonName
from app.models.orgs import CareProfile, Department, MedicalOrganization

# «Настройка уведомлений»: the groups of events a user may switch off, in the portal (the bell) and by e-mail;
# which events belong to which is the transitions table's mail_group (app/workflow/transitions.py)
EMAIL_EVENT_GROUPS = ("incoming", "taken", "information", "declined", "completed", "deadlines", "calls")

class Avatar(NamedTuple):
    """A user's picture: his photo when he has one, his initials otherwise."""

    photo_sha256: str | None
    initials: str
    name: str


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
    work_address: Mapped[str | None] = mapped_column(String(300))
    # the profile's photo: a square JPEG the portal made itself, kept by its sha256 (app/documents/photos.py)
    photo_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    email_notifications: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # the EMAIL_EVENT_GROUPS switched off, comma-separated: a group added later is on for everyone
    email_muted: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    # the groups not shown under the bell, likewise (the chat's system messages stay: the chat is the record)
    portal_muted: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    # sessions, tokens and sockets carry the epoch they were opened in; raising it takes them all back
    # (app/security/sessions.py)
    session_epoch: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    organization: Mapped[MedicalOrganization | None] = relationship(foreign_keys=[organization_id])
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    care_profiles: Mapped[list[CareProfile]] = relationship(secondary=user_care_profile)

    @property
    def email_events(self) -> list[str]:
        """The groups of events e-mailed to this user (the profile's check boxes)."""
        muted = set(self.email_muted.split(","))
        return [group for group in EMAIL_EVENT_GROUPS if group not in muted]

    @email_events.setter
    def email_events(self, groups: list[str]) -> None:
        self.email_muted = ",".join(group for group in EMAIL_EVENT_GROUPS if group not in set(groups or ()))

    @property
    def portal_events(self) -> list[str]:
        """The groups of events shown to this user under the bell."""
        muted = set(self.portal_muted.split(","))
        return [group for group in EMAIL_EVENT_GROUPS if group not in muted]

    @portal_events.setter
    def portal_events(self, groups: list[str]) -> None:
        self.portal_muted = ",".join(group for group in EMAIL_EVENT_GROUPS if group not in set(groups or ()))

    def wants_email_about(self, group: str) -> bool:
        if not (self.email_notifications and self.email):
            return False
        return group not in self.email_muted.split(",")

    def wants_portal_notice_about(self, group: str) -> bool:
        return group not in self.portal_muted.split(",")

    @property
    def initials(self) -> str:
        """«ИА» of Иванов Алексей: what stands in for a photo."""
        return "".join(name[:1] for name in (self.last_name, self.first_name) if name).upper()

    @property
    def avatar(self) -> Avatar:
        return Avatar(self.photo_sha256, self.initials, self.full_name)

    def has_role(self, role_name: str) -> bool:
        return any(role.name == role_name for role in self.roles)

    def __str__(self) -> str:
        return self.full_name

    __repr__ = __str__


class AccountSession(Model):
    """A browser session signed in with the account's password (app/security/sessions.py): its id is the
    one kept in the session cookie, which is accepted only while this row exists and is not ended. The
    profile's «Доступ» lists them; a JWT of the API is no browser session and has no row."""
    __tablename__ = "account_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    started_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False)
    user_agent: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    # updated at most every few minutes (SEEN_EVERY), not on every request
    last_seen_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, index=True)
    # «Выход», «Завершить» in the profile, or the account's session epoch raised
    ended_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
