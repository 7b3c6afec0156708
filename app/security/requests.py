"""Who sees which request (DESIGN.md §6) and what each tab holds (§5), as SQL clauses.

Lists, the request page, actions, files, the API and exports all filter through
``visible_requests_clause``; a tab is that clause narrowed down.
"""
import dataclasses

from flask import abort
from sqlalchemy import and_, case, false, func, or_, select, true, union
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from app.models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    ConsultationRequest as CR,
    Patient,
    RequestEvent,
    Route,
    user_care_profile,
)
from app.extensions import db
from app.security.access import is_regional_admin
from app.security.audit import audit
from app.security.roles import CONSULTANT, COORDINATOR, MO_ADMIN

TABS = ("all", "available", "in_work", "outgoing", "drafts")


def _profile_ids(actor):
    return select(user_care_profile.c.care_profile_id).where(user_care_profile.c.user_id == actor.id)


def _pool_routes():
    return select(Route.id).where(Route.assignment == "pool")


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _in_select(column, subquery) -> ColumnElement[bool]:
    """column IN (subquery). On PostgreSQL as = ANY(ARRAY(subquery)): the few values become an index
    condition instead of a hashed filter applied to every row the index returned (see bench/)."""
    if _postgresql():
        return column == func.any(func.array(subquery.scalar_subquery()))
    return column.in_(subquery)


def _takeable_parts(actor) -> list[ColumnElement[bool]]:
    """Why a consultant may take a new request: designated to him, or in his МО's common queue and profile
    (a user who is not a consultant of an МО only what is designated to him). Kept apart, each is one
    index range in the visibility union; one OR would read every new request of the МО."""
    if not actor.has_role(CONSULTANT) or actor.organization_id is None:
        return [CR.designated_consultant_id == actor.id]
    return [
        and_(CR.status == "new", CR.designated_consultant_id == actor.id),
        and_(
            CR.status == "new",
            CR.designated_consultant_id.is_(None),
            CR.consulting_organization_id == actor.organization_id,
            _in_select(CR.care_profile_id, _profile_ids(actor)),
            _in_select(CR.route_id, _pool_routes()),
        ),
    ]


def takeable_by(actor) -> ColumnElement[bool]:
    """New requests this consultant may take: designated to him, or in his МО's common queue and profile.
    «Доступные» shows them, and their chat is his to read (not to write) until he takes one
    (app/security/chat.py)."""
    return or_(*_takeable_parts(actor))


def _visible_ids(actor):
    """The ids of the requests this user may see: a union of index-backed selects, one per reason.

    (One OR over different columns would make PostgreSQL read the whole table; see bench/.)"""
    parts = [
        select(CR.id).where(CR.author_id == actor.id),
        select(CR.id).where(CR.consultant_id == actor.id),
        select(RequestEvent.request_id).where(RequestEvent.actor_id == actor.id),
        *(select(CR.id).where(reason) for reason in _takeable_parts(actor)),
    ]
    if actor.organization_id is not None:
        submitted = CR.status != "draft"
        if actor.has_role(COORDINATOR) or actor.has_role(MO_ADMIN):
            parts.append(select(CR.id).where(submitted, CR.consulting_organization_id == actor.organization_id))
        if actor.has_role(MO_ADMIN):
            parts.append(select(CR.id).where(submitted, CR.requesting_organization_id == actor.organization_id))
    return union(*parts)


def visible_requests_clause(actor) -> ColumnElement[bool]:
    if is_regional_admin(actor):
        return true()
    if actor is None:
        return false()
    ids = _visible_ids(actor)
    if _postgresql():
        # = ANY(ARRAY(...)): PostgreSQL fetches the few visible rows by primary key instead of hashing
        # the whole table against the list (6× faster on 100 000 requests, see bench/)
        return CR.id == func.any(func.array(ids.scalar_subquery()))
    return CR.id.in_(ids)


def tab_clause(actor, tab: str) -> ColumnElement[bool]:
    """What a tab holds for this user (always within what he may see)."""
    if tab == "available":
        parts = [takeable_by(actor), and_(CR.status == "awaiting_info", CR.author_id == actor.id)]
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
        return true()  # everything the user may see: the visibility clause is always applied too
    raise ValueError(tab)


def finished_clause(finished: bool) -> ColumnElement[bool]:
    return CR.status.in_(FINISHED_STATUSES if finished else OPEN_STATUSES)


def tab_filters(actor, tab: str, finished: bool = False) -> list[ColumnElement[bool]]:
    """A tab's list before the user's own filters, visibility apart: the tab's requests, open or finished
    («Черновики» either). The list (list_requests) and the counts on «Главная» (app/security/desk.py) both
    filter by these, so a count there is the total of the list it links to."""
    return [tab_clause(actor, tab)] if tab == "drafts" else [tab_clause(actor, tab), finished_clause(finished)]


def find_visible_request(session, actor, request_id):
    """The request if this user may see it; else None, with the attempt written to the audit trail."""
    found = session.query(CR).filter(CR.id == request_id, visible_requests_clause(actor)).one_or_none()
    if found is None:
        audit(actor, "read_denied", "consultation_request", request_id)
    return found


def find_visible_patient(session, actor, snils: str = "", oms_policy: str = "") -> Patient | None:
    """«Найти пациента» of the request form: the patient of the newest request this user may see with
    this СНИЛС and this полис (whichever are given), else None. Only what one of his requests already
    shows him: a number of any other patient is not found, exactly like an unknown one (issue 11, item 4)."""
    criteria = [column == value for column, value in ((Patient.snils, snils), (Patient.oms_policy, oms_policy))
                if value]
    if not criteria:
        return None
    return (session.query(Patient).join(CR, CR.patient_id == Patient.id)
            .filter(*criteria, visible_requests_clause(actor))
            .order_by(CR.created_at.desc(), CR.id.desc()).first())


def visible_request_or_404(session, actor, request_id):
    """For pages: the request if this user may see it, else a 404 (the attempt audited)."""
    found = find_visible_request(session, actor, request_id)
    if found is None:
        abort(404)
    return found


@dataclasses.dataclass
class ListFilters:
    query: str = ""
    status: str = ""
    care_profile_id: int | None = None
    urgency: str = ""
    finished: bool = False


# emergency first: the order of «Доступные» and of the desk
URGENCY_RANK = case({"emergency": 0, "urgent": 1, "planned": 2}, value=CR.urgency, else_=3)


def list_requests(session, actor, tab: str, filters: ListFilters, page: int, page_size: int):
    """One page of a tab: (requests with patient, profile and МО loaded, total count).

    The regional administrator's tabs span the whole table: the count is an index-only scan and the page
    an index range under LIMIT, two cheap queries. Anyone else sees a bounded set picked out by the
    visibility union: it is evaluated once, in one statement that filters it into a narrow CTE (id and
    sort keys) and returns the page's rows with the CTE's count beside each; evaluating it again for a
    separate COUNT doubled the SQL time of a consultant's list (bench/)."""
    query = session.query(CR).filter(visible_requests_clause(actor), *tab_filters(actor, tab, filters.finished))
    if filters.status:
        query = query.filter(CR.status == filters.status)
    if filters.care_profile_id:
        query = query.filter(CR.care_profile_id == filters.care_profile_id)
    if filters.urgency:
        query = query.filter(CR.urgency == filters.urgency)
    if filters.query:
        text = filters.query.strip()
        query = query.outerjoin(CR.patient).filter(
            or_(CR.number.ilike(f"%{text}%"), Patient.last_name.ilike(f"{text}%"))
        )
    related = (joinedload(CR.patient), joinedload(CR.care_profile, innerjoin=True),
               joinedload(CR.consulting_organization, innerjoin=True))
    # the newest first (by urgency first in «Доступные»); the id breaks ties so that pages never overlap
    order = [URGENCY_RANK] if tab == "available" else []
    order += [CR.created_at.desc(), CR.id.desc()]
    if is_regional_admin(actor):
        total = query.order_by(None).count()
        rows = query.options(*related).order_by(*order).offset(page * page_size).limit(page_size).all()
        return rows, total
    hits = query.with_entities(CR.id.label("id"), CR.created_at.label("created_at"),
                               URGENCY_RANK.label("urgency_rank")).order_by(None).cte("hits")
    hit_order = [hits.c.urgency_rank] if tab == "available" else []
    hit_order += [hits.c.created_at.desc(), hits.c.id.desc()]
    count = select(func.count()).select_from(hits)
    page_ids = select(hits.c.id).order_by(*hit_order).offset(page * page_size).limit(page_size)
    found = (
        session.query(CR, count.scalar_subquery())
        .filter(CR.id.in_(page_ids))
        .options(*related)
        .order_by(*order)
        .all()
    )
    if found:
        return [row for row, _ in found], found[0][1]
    # an empty page: nothing at all, or a page past the end (then the count alone, as a second query)
    return [], session.scalar(count) if page else 0
