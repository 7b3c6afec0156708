"""«Главная» (issue 13, item 3): each role's desk shows what its lists would show it — no request of another
МО, the tabs' counts as the lists count them, emergencies first — in a few queries whatever the rows."""
import datetime
import re
import threading

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import ConsultationRequest, utcnow
from app.security.requests import visible_requests_clause
from app.workflow import apply
from app.workflow.chat import unread_counts
from tests.conftest import visible_text
from tests.requests_helpers import new_request, user

DEMO_USERS = ("requester1", "requester2", "consultant1", "consultant2", "consultant3", "coordinator1",
              "coordinator2", "moadmin1", "moadmin2", "regadmin")
URGENCY_ORDER = {"emergency": 0, "urgent": 1, "planned": 2, "none": 3}


def _overdue(request, days=30):
    request.due_at = utcnow() - datetime.timedelta(days=days)


@pytest.fixture(scope="module")
def case(app):
    """New requests at both consulting МО: emergency and planned cardiology at ГКБ № 1 (the common queue of
    consultant1), an emergency at ОКБ; one of each МО long overdue (emergencies, so they lead the overdue
    cards whatever other tests left there)."""
    with app.app_context():
        made = {
            "gkb_emergency": new_request(author="requester1", urgency="emergency"),
            "gkb_planned": new_request(author="requester1", urgency="planned"),
            "okb_emergency": new_request(author="requester2", org="ОКБ", urgency="emergency"),
            "gkb_late": new_request(author="requester1", urgency="emergency"),
            "okb_late": new_request(author="requester2", org="ОКБ", urgency="emergency"),
        }
        _overdue(made["gkb_late"])
        _overdue(made["okb_late"])
        db.session.commit()
        return {name: (r.id, r.number) for name, r in made.items()}


@pytest.fixture()
def every_row(monkeypatch):
    """Cards as long as their lists: what other tests left in the shared region cannot push ours off."""
    monkeypatch.setattr("app.views.home.DESK_ROWS", 10_000)


def _desk(client_for, username) -> str:
    response = client_for(username).get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _card(html: str, name: str) -> str | None:
    found = re.search(rf'<section class="[^"]*" data-card="{name}".*?</section>', html, re.S)
    return found.group(0) if found else None


def _items(card: str) -> list[tuple[str, int]]:
    """(urgency, request id) of a card's requests, in their order."""
    return [(urgency, int(rid)) for urgency, rid in
            re.findall(r'class="tmk-desk-item tmk-desk-(\w+)" data-request-id="(\d+)"', card)]


def _shown_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-request-id="(\d+)"', html)}


def _counts(html: str) -> dict[str, int]:
    return {tab: int(n) for tab, n in
            re.findall(r'tmk-count-tile tmk-count-(\w+)".*?<span class="tmk-count">(\d+)</span>', html, re.S)}


def _visible_ids(app, username) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(db.select(ConsultationRequest.id)
                                      .where(visible_requests_clause(user(username)))))


@pytest.mark.parametrize("username", DEMO_USERS)
def test_the_desk_shows_only_what_the_user_may_see(app, client_for, case, every_row, username):
    html = _desk(client_for, username)
    shown = _shown_ids(html)
    assert shown <= _visible_ids(app, username)
    # every request on the desk is one click from its page, and that page opens
    for request_id in sorted(shown)[:3]:
        assert f'href="/requests/{request_id}' in html
        assert client_for(username).get(f"/requests/{request_id}").status_code == 200


@pytest.mark.parametrize("username, own, foreign", [
    ("consultant1", ("gkb_emergency", "gkb_planned"), ("okb_emergency", "okb_late")),
    ("coordinator1", ("gkb_emergency", "gkb_late"), ("okb_emergency", "okb_late")),
    ("moadmin1", ("gkb_late",), ("okb_emergency", "okb_late")),
    ("consultant3", ("okb_emergency",), ("gkb_emergency", "gkb_planned", "gkb_late")),
    ("coordinator2", ("okb_emergency", "okb_late"), ("gkb_emergency", "gkb_planned", "gkb_late")),
])
def test_a_request_of_another_organization_never_appears(client_for, case, every_row, username, own, foreign):
    html = _desk(client_for, username)
    text = visible_text(html)
    for name in own:
        assert case[name][1] in text, name
    for name in foreign:
        assert case[name][1] not in text and case[name][0] not in _shown_ids(html), name


@pytest.mark.parametrize("username", DEMO_USERS)
def test_the_counts_are_the_lists_counts(client_for, case, username):
    client = client_for(username)
    counts = _counts(_desk(client_for, username))
    assert counts  # every role has at least «Заявки» and «Доступные»
    for tab, count in counts.items():
        listed = client.get(f"/requests/{tab}/").get_data(as_text=True)
        found = re.search(r"Найдено: (\d+)", listed)
        assert count == (int(found.group(1)) if found else 0), tab


def test_each_role_sees_its_own_desk(client_for, case, every_row):
    requester = _desk(client_for, "requester1")
    assert set(_counts(requester)) == {"all", "available", "outgoing", "drafts"}
    assert "Новая заявка" in visible_text(requester)
    assert not any(_card(requester, name) for name in ("unassigned", "overdue", "admin"))

    consultant = _desk(client_for, "consultant1")
    assert set(_counts(consultant)) == {"all", "available", "in_work"}
    assert not any(_card(consultant, name) for name in ("unassigned", "overdue", "admin"))

    coordinator = _desk(client_for, "coordinator1")
    assert _card(coordinator, "unassigned") and _card(coordinator, "overdue") and not _card(coordinator, "admin")
    assert "Просроченные заявки МО" in visible_text(coordinator)
    unassigned = {rid for _, rid in _items(_card(coordinator, "unassigned"))}
    assert case["gkb_emergency"][0] in unassigned
    # the unassigned have a card of their own: not listed twice
    assert not unassigned & {rid for _, rid in _items(_card(coordinator, "action"))}

    mo_admin = _desk(client_for, "moadmin1")
    assert _card(mo_admin, "overdue") and not _card(mo_admin, "unassigned")
    assert "Учётные записи" in visible_text(_card(mo_admin, "admin"))
    assert "Маршруты" not in visible_text(_card(mo_admin, "admin"))  # the region's, not his

    regional = _desk(client_for, "regadmin")
    overdue = {rid for _, rid in _items(_card(regional, "overdue"))}
    assert {case["gkb_late"][0], case["okb_late"][0]} <= overdue
    assert "Маршруты" in visible_text(_card(regional, "admin"))
    # nothing waits for the regional administrator's own action: the empty state says so
    assert "Нет заявок, требующих действий" in visible_text(_card(regional, "action"))


def test_emergency_first(client_for, case, every_row):
    items = _items(_card(_desk(client_for, "consultant1"), "action"))
    urgencies = [urgency for urgency, _ in items]
    assert urgencies[0] == "emergency" and "planned" in urgencies
    ranks = [URGENCY_ORDER[u] for u in urgencies]
    assert ranks == sorted(ranks)
    overdue = _items(_card(_desk(client_for, "coordinator1"), "overdue"))
    assert overdue[0][0] == "emergency"


def test_the_deadline_clock_is_shown(client_for, case, every_row):
    coordinator = visible_text(_card(_desk(client_for, "coordinator1"), "overdue"))
    assert re.search(rf"{case['gkb_late'][1]} .*?просрочена на \d+ д", coordinator)
    consultant = visible_text(_card(_desk(client_for, "consultant1"), "action"))
    assert re.search(rf"{case['gkb_emergency'][1]} .*?Осталось: \d+ ч \d+ мин", consultant)


def test_unread_chats_are_those_of_messages(app, client_for, case):
    with app.app_context():
        taken = new_request(author="requester2")
        apply(user("consultant1"), taken, "take")  # its system message is unread for the author
        db.session.commit()
        unread = unread_counts(db.session, user("requester2"))
        number, request_id = taken.number, taken.id
    card = _card(_desk(client_for, "requester2"), "chats")
    assert unread and f'<span class="badge tmk-unread">{len(unread)}</span>' in card
    assert number in visible_text(card) and f'href="/requests/{request_id}#chat"' in card


def test_a_few_queries_whatever_the_rows(app, client_for, case):
    client = client_for("coordinator1")
    client.get("/")  # the first request warms the caches
    page_thread = threading.get_ident()  # the test client serves the page in this thread

    def statements() -> int:
        executed = []

        def count(*_):
            if threading.get_ident() == page_thread:  # not the in-process jobs' mail
                executed.append(1)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(executed)

    before = statements()
    with app.app_context():
        for urgency in ("emergency", "urgent", "planned"):
            _overdue(new_request(author="requester2", urgency=urgency), days=1)
        db.session.commit()
    assert statements() == before <= 20
