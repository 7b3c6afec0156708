"""The request life cycle as plain functions (DESIGN.md §5)."""
import datetime

import pytest

from app.extensions import db
from app.models import ConsultationRequest, RequestEvent, UrgencyRule
from app.workflow import apply, requests as wf
from app.workflow.changes import consultant_choices
from app.core.errors import InvalidInput, NotAllowed
from app.workflow.transitions import allowed_actions
from tests.requests_helpers import new_request, request_data, user


@pytest.fixture()
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def history(request):
    return [(e.action, e.from_status, e.to_status) for e in
            db.session.query(RequestEvent).filter_by(request_id=request.id).order_by(RequestEvent.id)]


def test_numbers_are_readable_and_unique(ctx):
    first, second = new_request(submit=False), new_request(submit=False)
    year = datetime.datetime.now(datetime.timezone.utc).year
    assert first.number.startswith(f"ТМК-{year}-") and len(first.number) == len(f"ТМК-{year}-000001")
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_submit_without_approval_goes_to_new_with_a_deadline(ctx):
    request = new_request(urgency="emergency")
    assert request.status == "new" and request.received_at is not None
    assert request.due_at - request.received_at == datetime.timedelta(hours=2)
    assert history(request) == [("create", None, "draft"), ("submit", "draft", "new")]


def test_the_rule_in_force_sets_the_deadline(ctx):
    db.session.add(UrgencyRule(urgency="urgent", min_minutes=60, max_minutes=600, warning_minutes=60,
                               effective_from=datetime.date(2025, 9, 1), legal_basis="тест"))
    db.session.commit()
    try:
        request = new_request(urgency="urgent")
        assert request.due_at - request.received_at == datetime.timedelta(minutes=600)
    finally:
        db.session.query(UrgencyRule).filter_by(legal_basis="тест").delete()
        db.session.commit()


def test_approval_route_waits_for_the_requesting_mo(ctx):
    request = new_request(profile="Онкология", org="ОКБ", urgency="planned")
    assert request.status == "on_approval" and request.received_at is None
    with pytest.raises(NotAllowed):
        apply(user("moadmin1"), request, "approve")  # the consulting side's admin does not approve
    apply(user("moadmin2"), request, "approve", {"comment": "Согласовано"})
    assert request.status == "new" and request.due_at is not None


def test_reject_needs_a_reason_and_cancels(ctx):
    request = new_request(profile="Онкология", org="ОКБ", urgency="planned")
    with pytest.raises(InvalidInput):
        apply(user("moadmin2"), request, "reject", {"comment": "  "})
    assert request.status == "on_approval"
    apply(user("moadmin2"), request, "reject", {"comment": "Нет показаний"})
    assert request.status == "cancelled"


def test_the_full_cycle(ctx):
    request = new_request()
    c1, c2, author = user("consultant1"), user("consultant2"), user("requester1")
    assert "take" in allowed_actions(c1, request) and "take" not in allowed_actions(author, request)
    apply(c1, request, "take")
    assert request.status == "in_work" and request.consultant_id == c1.id
    with pytest.raises(InvalidInput):
        apply(c1, request, "request_info", {"comment": ""})
    apply(c1, request, "request_info", {"comment": "Пришлите ЭКГ"})
    assert request.status == "awaiting_info" and request.paused_at is not None
    due_before = request.due_at
    request.paused_at -= datetime.timedelta(minutes=45)  # the author answers 45 minutes later
    db.session.commit()
    apply(author, request, "provide_info", {"comment": "ЭКГ во вложении"})
    assert request.status == "in_work" and request.paused_at is None
    assert request.due_at - due_before >= datetime.timedelta(minutes=45)
    with pytest.raises(InvalidInput):
        apply(c1, request, "transfer", {"consultant_id": c2.id, "comment": ""})
    assert [u.username for u in consultant_choices(request, exclude=c1)] == ["consultant2"]
    apply(c1, request, "transfer", {"consultant_id": c2.id, "comment": "Отпуск"})
    assert request.status == "new" and request.designated_consultant_id == c2.id
    assert "take" not in allowed_actions(c1, request)
    apply(c2, request, "take")
    with pytest.raises(InvalidInput):
        apply(c2, request, "refuse", {"comment": ""})
    apply(c2, request, "refuse", {"comment": "Недостаточно данных"})
    assert request.status == "refused" and request.completed_at is not None
    actions = [a for a, _, _ in history(request)]
    assert actions == ["create", "submit", "take", "request_info", "provide_info", "deadline_paused",
                       "transfer", "take", "refuse"]
    pause = db.session.query(RequestEvent).filter_by(request_id=request.id, action="deadline_paused").one()
    assert "45" in pause.comment


def test_illegal_transitions_change_nothing(ctx):
    request = new_request()
    with pytest.raises(NotAllowed):
        apply(user("consultant1"), request, "request_info", {"comment": "x"})  # not in work yet
    with pytest.raises(NotAllowed):
        apply(user("consultant3"), request, "take")  # another МО
    with pytest.raises(NotAllowed):
        apply(user("requester1"), request, "take")
    with pytest.raises(NotAllowed):
        apply(user("requester2"), request, "cancel")
    db.session.refresh(request)
    assert request.status == "new" and len(history(request)) == 2


def test_coordinator_assigns_within_the_profile(ctx):
    request = new_request(profile="Неврология", urgency="planned")
    coordinator = user("coordinator1")
    assert "take" not in allowed_actions(user("consultant1"), request)  # not in the common queue
    with pytest.raises(InvalidInput):
        apply(coordinator, request, "assign", {"consultant_id": user("consultant1").id})  # does not cover неврология
    apply(coordinator, request, "assign", {"consultant_id": user("consultant2").id})
    assert request.status == "in_work" and request.consultant.username == "consultant2"


def test_author_cancels_an_open_request(ctx):
    request = new_request()
    apply(user("requester1"), request, "cancel", {"comment": "Пациент переведён"})
    assert request.status == "cancelled"
    with pytest.raises(NotAllowed):
        apply(user("requester1"), request, "cancel")


def test_submit_checks_every_required_field(ctx):
    data = request_data(question="", consent_given=False, diagnosis_code="X1")
    with pytest.raises(InvalidInput) as error:
        wf.save_request(user("requester1"), data, submit=True)
    assert set(error.value.fields) >= {"question", "consent_given", "diagnosis_code"}
    assert error.value.fields["consent_given"] == "Необходимо информированное добровольное согласие пациента"


def test_draft_may_be_incomplete_and_submitted_later(ctx):
    draft = wf.save_request(user("requester1"), request_data(question="", patient=None), submit=False)
    assert draft.status == "draft"
    data = request_data()
    wf.save_request(user("requester1"), data, submit=True, request=draft)
    assert draft.status == "new"


def test_urgency_outside_the_route_is_refused(ctx):
    with pytest.raises(InvalidInput) as error:
        new_request(profile="Онкология", org="ОКБ", urgency="emergency")
    assert "urgency" in error.value.fields


def test_the_same_patient_is_found_by_policy(ctx):
    first = new_request()
    second = new_request()  # another policy number: another patient
    assert first.patient_id != second.patient_id
    data = request_data()
    data.patient.oms_policy = first.patient.oms_policy
    third = wf.save_request(user("requester2"), data, submit=True)
    assert third.patient_id == first.patient_id
    data = request_data()
    data.patient.oms_policy = first.patient.oms_policy
    data.patient.last_name = "Другой"
    # another name with a known number: a row of its own, nothing of the other one's (tests/test_patient_privacy.py)
    fourth = wf.save_request(user("requester2"), data, submit=True)
    assert fourth.patient_id != first.patient_id and fourth.patient.last_name == "Другой"


def test_two_consultants_take_at_the_same_moment(app):
    """Two sessions press «Взять в работу» together: exactly one gets the request."""
    import threading

    with app.app_context():
        request_id = new_request().id
    barrier = threading.Barrier(2)
    results = {}

    def press(username):
        with app.app_context():
            actor = user(username)
            request = db.session.get(ConsultationRequest, request_id)
            barrier.wait()
            try:
                apply(actor, request, "take")
                results[username] = "taken"
            except NotAllowed as error:
                results[username] = error.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press, args=(name,)) for name in ("consultant1", "consultant2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()).count("taken") == 1, results
    loser = next(message for message in results.values() if message != "taken")
    assert loser.startswith("Заявка уже взята в работу: ")
    with app.app_context():
        request = db.session.get(ConsultationRequest, request_id)
        winner = next(name for name, result in results.items() if result == "taken")
        assert request.consultant.username == winner
        assert [e.action for e in request.events].count("take") == 1


def test_an_incomplete_draft_cannot_be_submitted_by_the_button(ctx):
    draft = wf.save_request(user("requester1"), request_data(question="", consent_given=False), submit=False)
    with pytest.raises(InvalidInput) as error:
        apply(user("requester1"), draft, "submit")
    assert {"question", "consent_given"} <= set(error.value.fields)
    assert draft.status == "draft"
