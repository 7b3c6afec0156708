"""«Главная» (issue 13): the requests a user's desk shows. Every query here is visible_requests_clause
(DESIGN.md §6) narrowed by the tabs' own clauses (§5) — the desk shows nothing its lists would not."""
import datetime

from sqlalchemy import and_, func, not_, or_
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from app.models import ConsultationRequest as CR
from app.models import OPEN_STATUSES
from app.security.access import is_regional_admin
from app.security.requests import URGENCY_RANK, tab_filters, visible_requests_clause
from app.security.roles import COORDINATOR, MO_ADMIN

# what «needs action now»: the requests of «Доступные» and «В работе» (§5), the open ones
ACTION_TABS = ("available", "in_work")
SUBMITTED_OPEN = tuple(status for status in OPEN_STATUSES if status != "draft")


def _row_options():
    """What a desk row shows, loaded with it (no query per row)."""
    return (joinedload(CR.patient), joinedload(CR.care_profile, innerjoin=True),
            joinedload(CR.consulting_organization, innerjoin=True))


def watches_organization(actor) -> bool:
    """Who watches the deadlines of an МО's requests: its coordinator and administrator (the regional
    administrator those of the region)."""
    return is_regional_admin(actor) or (
        actor.organization_id is not None and (actor.has_role(COORDINATOR) or actor.has_role(MO_ADMIN)))


def unassigned_clause(actor) -> ColumnElement[bool]:
    """New requests of the coordinator's МО that nobody has been given: he assigns them (§5)."""
    return and_(CR.status == "new", CR.designated_consultant_id.is_(None), CR.consultant_id.is_(None),
                CR.consulting_organization_id == actor.organization_id)


def overdue_clause(actor, now: datetime.datetime) -> ColumnElement[bool]:
    """Submitted, unfinished requests past their deadline (the clock stands still while paused, as
    app/workflow/deadlines.time_left counts it): those the actor's МО consults — an МО administrator's
    also those it sent —, the regional administrator's of the region."""
    late = and_(CR.status.in_(SUBMITTED_OPEN), CR.due_at.isnot(None),
                CR.due_at < func.coalesce(CR.paused_at, now))
    if is_regional_admin(actor):
        return late
    ours = CR.consulting_organization_id == actor.organization_id
    if actor.has_role(MO_ADMIN):
        ours = or_(ours, CR.requesting_organization_id == actor.organization_id)
    return and_(late, ours)


def _action_clause(actor) -> ColumnElement[bool]:
    needed = or_(*(and_(*tab_filters(actor, tab)) for tab in ACTION_TABS))
    if actor.has_role(COORDINATOR) and actor.organization_id is not None:
        # a coordinator's unassigned requests have a card of their own
        return and_(needed, not_(unassigned_clause(actor)))
    return needed


def desk_counts(session, actor, tabs, now: datetime.datetime) -> dict[str, int]:
    """In one statement: each tab's count as its list counts it (open requests), "action" (what
    action_requests lists), and for a coordinator or administrator "unassigned" and "overdue"."""
    columns = {tab: and_(*tab_filters(actor, tab)) for tab in tabs}
    columns["action"] = _action_clause(actor)
    if actor.has_role(COORDINATOR) and actor.organization_id is not None:
        columns["unassigned"] = unassigned_clause(actor)
    if watches_organization(actor):
        columns["overdue"] = overdue_clause(actor, now)
    # every column counts open requests only (a draft is open): saying so up front lets the database skip
    # the finished majority by its status index — the regional administrator's counts span the region
    row = (session.query(*(func.count(CR.id).filter(clause) for clause in columns.values()))
           .filter(visible_requests_clause(actor), CR.status.in_(OPEN_STATUSES)).one())
    return dict(zip(columns, (int(count or 0) for count in row)))


def _listed(session, actor, clause, order, limit: int):
    return (session.query(CR).filter(visible_requests_clause(actor), clause).options(*_row_options())
            .order_by(*order, CR.id.desc()).limit(limit).all())


def action_requests(session, actor, limit: int):
    """My requests that need action now: emergency first, then the nearest deadline."""
    return _listed(session, actor, _action_clause(actor),
                   (URGENCY_RANK, CR.due_at.is_(None), CR.due_at, CR.created_at.desc()), limit)


def unassigned_requests(session, actor, limit: int):
    return _listed(session, actor, unassigned_clause(actor),
                   (URGENCY_RANK, CR.due_at.is_(None), CR.due_at, CR.created_at.desc()), limit)


def overdue_requests(session, actor, now: datetime.datetime, limit: int):
    """Emergency first, then the longest overdue."""
    return _listed(session, actor, overdue_clause(actor, now), (URGENCY_RANK, CR.due_at), limit)
