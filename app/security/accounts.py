"""Rules for giving an account an МО, a department and roles, and for deleting it.

Forms and the API already offer only allowed choices; this re-check makes sure that no request
gets around them, using the same clauses as the lists. The actor is judged as he is stored: when he
edits his own account, FAB has already put the new roles and МО on the very object he is signed in as.
"""
from dataclasses import dataclass

from flask_appbuilder.security.sqla.models import Role, assoc_user_role
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, literal, not_, or_, select

from app.extensions import db
from app.models import Department, MedicalOrganization, TmkUser
from app.security.access import assignable_roles_clause, current_actor, is_regional_admin, own_organization_clause


class AccountRuleError(ValueError):
    """An account change the actor may not make; the message is shown to the user."""


@dataclass(frozen=True)
class StoredRole:
    id: int
    name: str


@dataclass(frozen=True)
class StoredActor:
    """The signed-in user as committed: what the rules of app/security/access.py read of an actor."""

    id: int
    organization_id: int | None
    roles: tuple[StoredRole, ...]


def stored_actor() -> StoredActor | None:
    """The signed-in user read on a connection of its own: it sees neither the session's objects (the
    edited account may be the actor himself) nor what the session's autoflush has written."""
    actor = current_actor()
    if actor is None:
        return None
    with db.engine.connect() as connection:
        organization_id = connection.scalar(select(TmkUser.organization_id).where(TmkUser.id == actor.id))
        roles = connection.execute(
            select(Role.id, Role.name).join(assoc_user_role, assoc_user_role.c.role_id == Role.id)
            .where(assoc_user_role.c.user_id == actor.id)
        )
        return StoredActor(actor.id, organization_id, tuple(StoredRole(*row) for row in roles))


def check_account_assignment(actor: StoredActor | None, user: TmkUser) -> None:
    organization_id = user.organization.id if user.organization is not None else user.organization_id
    department_id = user.department.id if user.department is not None else user.department_id
    role_ids = [role.id for role in user.roles]
    with db.session.no_autoflush:
        if actor is not None and user.id == actor.id and not user.active:
            raise AccountRuleError(_l("You cannot deactivate your own account"))
        if organization_id is None:
            if not is_regional_admin(actor):
                raise AccountRuleError(_l("Choose the medical organization"))
        elif not _exists(MedicalOrganization.id == organization_id,
                         own_organization_clause(actor, MedicalOrganization.id)):
            raise AccountRuleError(_l("You may only manage users of your own medical organization"))
        if role_ids and _exists(Role.id.in_(role_ids), not_(assignable_roles_clause(actor, Role))):
            raise AccountRuleError(_l("Only a regional administrator may give this role"))
        if department_id is not None and not _exists(
            Department.id == department_id, Department.organization_id == organization_id
        ):
            raise AccountRuleError(_l("The department belongs to another medical organization"))


def check_account_deletion(actor: StoredActor | None, user: TmkUser) -> None:
    """Only an account nobody and nothing refers to may go: SQLite would give its id to the next
    account, which would inherit its requests and messages."""
    if actor is not None and user.id == actor.id:
        raise AccountRuleError(_l("You cannot delete your own account"))
    if has_history(user.id):
        raise AccountRuleError(_l("The account has a history (requests, messages, documents or events): "
                                  "it cannot be deleted, make it inactive instead"))


def has_history(user_id: int) -> bool:
    """Whether any row refers to the account, other than those that belong to it and go with it
    (ON DELETE CASCADE: its roles, care profiles). Read from the metadata, so a table added later
    counts without a change here."""
    account_id = TmkUser.__table__.c.id
    references = []
    for table in db.metadata.tables.values():
        for key in table.foreign_keys:
            if key.column is account_id and (key.ondelete or "").upper() != "CASCADE":
                criteria = [key.parent == user_id]
                if table is TmkUser.__table__:  # created_by/changed_by of his own row
                    criteria.append(account_id != user_id)
                references.append(exists().where(*criteria))
    with db.session.no_autoflush:
        return db.session.scalar(select(or_(*references))) if references else False


def _exists(*criteria) -> bool:
    return db.session.scalar(select(literal(1)).where(*criteria).limit(1)) is not None


def snils_taken(snils: str, except_user_id: int | None = None) -> bool:
    query = db.session.query(TmkUser.id).filter(TmkUser.snils == snils)
    if except_user_id is not None:
        query = query.filter(TmkUser.id != except_user_id)
    return query.first() is not None
