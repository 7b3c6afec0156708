"""Who sees which request (DESIGN.md §6) and what each tab holds (§5), as SQL clauses.

Lists, the request page, actions, files, the API and exports all filter through
``visible_requests_clause``; a tab is that clause narrowed down.
"""
from sqlalchemy import and_, exists, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from app.models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    ConsultationRequest as CR,
    RequestEvent,
    Route,
    user_care_profile,
)
from app.security.access import is_regional_admin
from app.security.roles import CONSULTANT, COORDINATOR, MO_ADMIN

TABS = ("all", "available", "in_work", "outgoing", "drafts")


def _profile_ids(actor):
    return select(user_care_profile.c.care_profile_id).where(user_care_profile.c.user_id == actor.id)


def _pool_routes():
    return select(Route.id).where(Route.assignment == "pool")


def _takeable_by(actor) -> ColumnElement[bool]:
    """New requests this consultant may take: designated to him, or in his МО's common queue and profile."""
    if not actor.has_role(CONSULTANT) or actor.organization_id is None:
        return CR.designated_consultant_id == actor.id
    return and_(
        CR.status == "new",
        or_(
            CR.designated_consultant_id == actor.id,
            and_(
                CR.designated_consultant_id.is_(None),
                CR.consulting_organization_id == actor.organization_id,
                CR.care_profile_id.in_(_profile_ids(actor)),
                CR.route_id.in_(_pool_routes()),
            ),
        ),
    )


def visible_requests_clause(actor) -> ColumnElement[bool]:
    if is_regional_admin(actor):
        return true()
    if actor is None:
        return false()
    took_part = exists().where(RequestEvent.request_id == CR.id, RequestEvent.actor_id == actor.id)
    conditions = [CR.author_id == actor.id, CR.consultant_id == actor.id, took_part, _takeable_by(actor)]
    if actor.organization_id is not None:
        submitted = CR.status != "draft"
        if actor.has_role(COORDINATOR):
            conditions.append(and_(submitted, CR.consulting_organization_id == actor.organization_id))
        if actor.has_role(MO_ADMIN):
            conditions.append(and_(submitted, or_(CR.consulting_organization_id == actor.organization_id,
                                                  CR.requesting_organization_id == actor.organization_id)))
    return or_(*conditions)


def tab_clause(actor, tab: str) -> ColumnElement[bool]:
    """What a tab holds for this user (always within what he may see)."""
    if tab == "available":
        parts = [_takeable_by(actor), and_(CR.status == "awaiting_info", CR.author_id == actor.id)]
        if actor.organization_id is not None:
            if actor.has_role(COORDINATOR):
                parts.append(and_(CR.status == "new", CR.consulting_organization_id == actor.organization_id))
            if actor.has_role(MO_ADMIN):
                parts.append(and_(CR.status == "on_approval",
                                  CR.requesting_organization_id == actor.organization_id))
        return or_(*parts)
    if tab == "in_work":
        return and_(CR.consultant_id == actor.id, CR.status.in_(("in_work", "signing")))
    if tab == "outgoing":
        return and_(CR.author_id == actor.id, CR.status != "draft")
    if tab == "drafts":
        return and_(CR.author_id == actor.id, CR.status == "draft")
    if tab == "all":
        return visible_requests_clause(actor)
    raise ValueError(tab)


def finished_clause(finished: bool) -> ColumnElement[bool]:
    return CR.status.in_(FINISHED_STATUSES if finished else OPEN_STATUSES)
