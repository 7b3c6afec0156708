"""Who may see which rows: one place for the rules, used by filters, forms, APIs and custom views.

Each rule returns a SQL expression over a model, so a list, a related-field choice and a single
re-check (FAB's @action and custom endpoints skip base_filters) all ask the same question.
"""
from flask import g
from sqlalchemy import and_, false, not_, or_, true
from sqlalchemy.sql.elements import ColumnElement

from app.security.roles import MO_ADMIN, PUBLIC, REGIONAL_ADMIN


def current_actor():
    """The signed-in user (FAB sets g.user for sessions and for JWT), or None."""
    user = getattr(g, "user", None)
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def is_regional_admin(user) -> bool:
    return user is not None and any(role.name == REGIONAL_ADMIN for role in user.roles)


def own_organization_clause(actor, column) -> ColumnElement[bool]:
    """Rows of the actor's МО; everything for the regional administrator, nothing for others."""
    if is_regional_admin(actor):
        return true()
    if actor is None or actor.organization_id is None:
        return false()
    return column == actor.organization_id


def managed_users_clause(actor, user_model) -> ColumnElement[bool]:
    """Accounts the actor may manage: his own; an МО administrator also his МО's, but never a
    regional administrator's; the regional administrator all."""
    if is_regional_admin(actor):
        return true()
    if actor is None:
        return false()
    own_account = user_model.id == actor.id
    if not any(role.name == MO_ADMIN for role in actor.roles):
        return own_account
    holds_regional_role = user_model.roles.any(name=REGIONAL_ADMIN)
    return or_(own_account, and_(own_organization_clause(actor, user_model.organization_id), not_(holds_regional_role)))


def assignable_roles_clause(actor, role_model) -> ColumnElement[bool]:
    """Roles the actor may give: nobody gives «Гость»; only a regional administrator gives his own."""
    if is_regional_admin(actor):
        return role_model.name != PUBLIC
    return role_model.name.notin_([PUBLIC, REGIONAL_ADMIN])
