"""The request tabs, the wizard and the page's actions, through the pages as a browser posts them."""
import io
import re

from app.extensions import db
from app.models import ConsultationRequest, RequestAttachment
from tests.conftest import visible_text
from tests.requests_helpers import new_request, route, unique_policy


def numbers_in(html):
    return set(re.findall(r"ТМК-\d{4}-\d{6}", html))


def test_tabs_hold_what_the_design_says(app, client_for):
    with app.app_context():
        fresh = new_request(author="requester2").number
        taken = new_request(author="requester2")
        from app.workflow import apply
        from tests.requests_helpers import user

        apply(user("consultant1"), taken, "take")
        taken = taken.number
    c1 = client_for("consultant1")
    assert fresh in numbers_in(c1.get("/requests/available/?psize=100").get_data(as_text=True))
    assert taken not in numbers_in(c1.get("/requests/available/?psize=100").get_data(as_text=True))
    assert taken in numbers_in(c1.get("/requests/in_work/?psize=100").get_data(as_text=True))
    r2 = client_for("requester2")
    outgoing = numbers_in(r2.get("/requests/outgoing/?psize=100").get_data(as_text=True))
    assert {fresh, taken} <= outgoing
    assert not ({fresh, taken} & numbers_in(r2.get("/requests/drafts/?psize=100").get_data(as_text=True)))


def test_finished_requests_behind_the_switch(app, client_for):
    client = client_for("requester1")
    open_numbers = numbers_in(client.get("/requests/outgoing/?psize=100").get_data(as_text=True))
    closed_page = client.get("/requests/outgoing/?closed=1&psize=100").get_data(as_text=True)
    assert "Показать открытые" in visible_text(closed_page)
    with app.app_context():
        finished = {r.number for r in db.session.query(ConsultationRequest).filter(
            ConsultationRequest.status.in_(("refused", "cancelled", "completed")),
            ConsultationRequest.author.has(username="requester1"))}
    assert finished and finished <= numbers_in(closed_page)
    assert not finished & open_numbers


def test_search_and_filters(app, client_for):
    client = client_for("regadmin")
    found = client.get("/requests/all/?q=Смирнов&psize=100").get_data(as_text=True)
    assert "Смирнов А. В." in found and "Кузьмина" not in found
    typed = client.get("/requests/all/?q=смирнов&psize=100").get_data(as_text=True)
    assert "Смирнов А. В." in typed  # any case, on SQLite as on PostgreSQL
    chats = client_for("requester1").get("/messages/?q=СМИРНОВ").get_data(as_text=True)
    assert "Смирнов" in visible_text(chats)
    by_number = client.get("/requests/all/?q=000001").get_data(as_text=True)
    assert len(numbers_in(by_number)) >= 1
    emergency = client.get("/requests/all/?urgency=emergency&psize=100").get_data(as_text=True)
    assert "tmk-urgency-emergency" in emergency and "tmk-urgency-urgent" not in emergency
    assert client.get("/requests/all/?psize=7").status_code == 400
    assert client.get("/requests/nope/").status_code == 404


def test_rows_are_coloured_by_urgency_and_the_selected_one_shown(app, client_for):
    with app.app_context():
        request_id = new_request(urgency="emergency").id
    html = client_for("consultant1").get(f"/requests/available/?selected={request_id}&psize=100").get_data(as_text=True)
    row = re.search(rf'<tr class="([^"]*)" data-id="{request_id}">', html).group(1)
    assert "tmk-urgency-emergency" in row and "tmk-selected" in row
    assert 'data-request-id="%d"' % request_id in html  # the panel beside the list
    assert "Взять в работу" in visible_text(html)


def test_only_allowed_actions_are_offered(app, client_for):
    with app.app_context():
        request_id = new_request().id
    consultant = visible_text(client_for("consultant1").get(f"/requests/{request_id}").get_data(as_text=True))
    author = visible_text(client_for("requester1").get(f"/requests/{request_id}").get_data(as_text=True))
    assert "Взять в работу" in consultant and "Отменить заявку" not in consultant
    assert "Отменить заявку" in author and "Взять в работу" not in author


def test_actions_through_the_page_dialogs(app, client_for):
    with app.app_context():
        request_id = new_request().id
    consultant = client_for("consultant1")
    consultant.post(f"/requests/{request_id}/action/take", data={"next": f"/requests/{request_id}"})
    page = consultant.post(f"/requests/{request_id}/action/request_info", data={"comment": ""}, follow_redirects=True)
    assert "Напишите, какая информация вам нужна" in visible_text(page.get_data(as_text=True))
    consultant.post(f"/requests/{request_id}/action/request_info", data={"comment": "Нужна ЭКГ"})
    with app.app_context():
        assert db.session.get(ConsultationRequest, request_id).status == "awaiting_info"
    author = client_for("requester1")
    with app.app_context():
        number = db.session.get(ConsultationRequest, request_id).number
    assert number in author.get("/requests/available/?psize=100").get_data(as_text=True)  # awaits his answer
    assert "Предоставить информацию" in visible_text(author.get(f"/requests/{request_id}").get_data(as_text=True))
    page = author.post(f"/requests/{request_id}/action/provide_info", data={"comment": "ЭКГ приложена"},
                       follow_redirects=True)
    text = visible_text(page.get_data(as_text=True))
    assert "Информация предоставлена" in text and "Срок был приостановлен" in text


def _form(app, **changes):
    data = {
        "urgency": "urgent", "mode": "deferred", "goal": "5", "question": "Интерпретация ЭКГ",
        "anamnesis": "Одышка", "diagnosis_code": "i20.8", "diagnosis_text": "Стенокардия",
        "patient_oms_policy": unique_policy(), "patient_last_name": "Формова", "patient_first_name": "Анна",
        "patient_birth_date": "03.04.1955", "patient_sex": "female", "consent_given": "y",
        "records-0-source": "odii", "records-0-record_date": "20.11.2026", "records-0-title": "ЭКГ",
        "send": "submit",
    }
    data.update(changes)
    return data


def test_wizard_creates_a_request_with_files(app, client_for):
    client = client_for("requester1")
    assert "Кардиология" in visible_text(client.get("/requests/new/").get_data(as_text=True))
    with app.app_context():
        route_id = route("Кардиология", "ГКБ № 1").id
        profile_id = route("Кардиология", "ГКБ № 1").care_profile_id
    assert "ГБУЗ «Городская клиническая больница № 1»" in client.get(f"/requests/new/profile/{profile_id}").get_data(as_text=True)
    data = _form(app)
    data["attachments"] = [(io.BytesIO(b"%PDF-1.4 test"), "ЭКГ.pdf")]
    response = client.post(f"/requests/new/route/{route_id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    request_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        created = db.session.get(ConsultationRequest, request_id)
        assert created.status == "new" and created.diagnosis_code == "I20.8"
        assert created.external_records[0].title == "ЭКГ"
        attached = db.session.query(RequestAttachment).filter_by(request_id=request_id).one()
        assert attached.document.name == "ЭКГ.pdf" and attached.document.content_type == "application/pdf"


def test_wizard_shows_russian_messages_next_to_fields_and_keeps_input(app, client_for):
    client = client_for("requester1")
    with app.app_context():
        route_id = route("Кардиология", "ГКБ № 1").id
        before = db.session.query(ConsultationRequest).count()
    data = _form(app, question="", consent_given="", patient_snils="112-233-445 96", diagnosis_code="123")
    data["attachments"] = [(io.BytesIO(b"MZ\x90\x00binary"), "virus.exe")]
    page = client.post(f"/requests/new/route/{route_id}", data=data, content_type="multipart/form-data")
    text = visible_text(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Файл virus.exe имеет тип, который портал не принимает" in text
    data.pop("attachments")
    page = client.post(f"/requests/new/route/{route_id}", data=data)
    text = visible_text(page.get_data(as_text=True))
    for message in ("Обязательное поле", "Необходимо информированное добровольное согласие пациента",
                    "Неверное контрольное число СНИЛС", "Введите код МКБ-10, например I21.0"):
        assert message in text
    assert 'value="Формова"' in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ConsultationRequest).count() == before


def test_draft_is_saved_and_submitted_later(app, client_for):
    client = client_for("requester1")
    with app.app_context():
        route_id = route("Неврология", "ГКБ № 1").id
    response = client.post(f"/requests/new/route/{route_id}", data=_form(app, urgency="planned", question="", send="draft"))
    request_id = int(response.headers["Location"].rsplit("/", 1)[1])
    drafts = client.get("/requests/drafts/").get_data(as_text=True)
    with app.app_context():
        draft = db.session.get(ConsultationRequest, request_id)
        assert draft.status == "draft" and draft.number in drafts
    edit = client.get(f"/requests/{request_id}/edit").get_data(as_text=True)
    assert 'value="Формова"' in edit
    client.post(f"/requests/{request_id}/edit", data=_form(app, urgency="planned", question="Уточнить дозу"))
    with app.app_context():
        submitted = db.session.get(ConsultationRequest, request_id)
        assert submitted.status == "new" and submitted.question == "Уточнить дозу"


def test_doctor_who_is_not_a_requester_cannot_open_the_wizard(app, client_for):
    assert client_for("consultant1").get("/requests/new/").status_code == 403


def test_time_left_reads_in_russian_and_turns_red_when_overdue(app, client_for):
    import datetime

    from app.views.requests import format_time_left

    with app.test_request_context():
        assert format_time_left(datetime.timedelta(hours=1, minutes=5)) == "1 ч 5 мин"
        assert format_time_left(datetime.timedelta(days=2, hours=3)) == "2 д 3 ч 0 мин"
        assert format_time_left(-datetime.timedelta(minutes=15)) == "просрочена на 15 мин"
    with app.app_context():
        overdue = new_request(urgency="emergency")
        overdue.due_at = overdue.received_at - datetime.timedelta(minutes=30)
        db.session.commit()
        request_id = overdue.id
    html = client_for("consultant1").get("/requests/available/?psize=100").get_data(as_text=True)
    row = re.search(rf'<tr class="[^"]*" data-id="{request_id}">(.*?)</tr>', html, re.S).group(1)
    assert 'class="tmk-overdue"' in row and "просрочена на" in row


def test_row_links_keep_the_filters_and_select_the_row(app, client_for):
    html = client_for("regadmin").get("/requests/all/?selected=1&urgency=emergency&psize=50").get_data(as_text=True)
    links = re.findall(r'href="([^"]*)" class="tmk-row-link"', html)
    assert links and all(re.fullmatch(r"/requests/all/\?urgency=emergency&amp;psize=50&amp;selected=\d+", link)
                         for link in links), links[:2]
