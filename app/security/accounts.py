"""Rules for giving an account an МО, a department and roles.

Forms and the API already offer only allowed choices; this re-check makes sure that no request
gets around them, using the same clauses as the lists.
"""
from flask_appbuilder.security.sqla.models import Role
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, not_, select

from app.extensions import db
from app.models import Department, MedicalOrganization, TmkUser
from app.security.access import assignable_roles_clause, is_regional_admin, own_organization_clause


class AccountRuleError(ValueError):
    """An account change the actor may not make; the message is shown to the user."""


def check_account_assignment(actor, user: TmkUser) -> None:
    organization_id = user.organization.id if user.organization is not None else user.organization_id
    department_id = user.department.id if user.department is not None else user.department_id
    role_ids = [role.id for role in user.roles]
    with db.session.no_autoflush:
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


def _exists(*criteria) -> bool:
    return db.session.scalar(select(literal(1)).where(*criteria).limit(1)) is not None


def snils_taken(snils: str, except_user_id: int | None = None) -> bool:
    query = db.session.query(TmkUser.id).filter(TmkUser.snils == snils)
    if except_user_id is not None:
        query = query.filter(TmkUser.id != except_user_id)
    return query.first() is not None
