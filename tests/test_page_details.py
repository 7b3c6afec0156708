"""Details every page shares (issue 13, item 5): the page's language, numbers with a decimal comma, the
«Черновики» status filter, the wizard's current step."""
import re

from app.documents.library import size_label
from app.documents.storage import store_bytes
from app.extensions import db
from app.models import Document, RequestAttachment
from app.schemas.dumps import document_json
from tests.requests_helpers import new_request, route, user

ROLES = ("regadmin", "moadmin1", "coordinator1", "consultant1", "requester1")
NOT_PAGES = re.compile(r"^/(logout|api/|static/|appbuilder/|swagger)|/download|/file$|/export")


def links_of(html: str) -> set[str]:
    return {href for href in re.findall(r'href="(/[^"#]*)"', html) if not NOT_PAGES.search(href)}


def says_russian(response) -> bool:
    return '<html lang="ru">' in response.get_data(as_text=True)


def test_every_page_a_role_reaches_says_it_is_russian(app, client_for):
    anonymous = app.test_client()
    assert says_russian(anonymous.get("/login/"))
    for username in ROLES:
        client = client_for(username)
        home = client.get("/")
        assert says_russian(home), username
        pages = links_of(home.get_data(as_text=True))
        assert "/requests/all/" in pages or "/requests/outgoing/" in pages, (username, pages)
        for address in sorted(pages):
            response = client.get(address)
            if response.status_code == 200 and response.mimetype == "text/html":
                assert says_russian(response), (username, address)
    regadmin = client_for("regadmin")
    for address in ("/users/list/", "/users/add", "/routeview/list/", "/routeview/add"):  # FAB's own views
        response = regadmin.get(address)
        assert response.status_code == 200 and says_russian(response), address
    missing = regadmin.get("/requests/999999999")
    assert missing.status_code == 404 and says_russian(missing)
    refused = client_for("requester1").get("/routeview/add")  # the «no access» page
    assert refused.status_code == 403 and says_russian(refused)


def test_sizes_read_with_a_decimal_comma_on_the_page_and_in_the_chat(app, client_for):
    with app.test_request_context():
        assert size_label(2150) == "2,1 КБ"
        assert size_label(5 * 1024 * 1024 + 300 * 1024) == "5,3 МБ"
        assert size_label(512) == "512 Б"
    with app.app_context():
        consultation = new_request()
        document = store_bytes(user("requester1"), "ЭКГ.pdf", b"%PDF-1.4 " + b"0" * 2141, "application/pdf")
        db.session.flush()
        db.session.add(RequestAttachment(request_id=consultation.id, document_id=document.id))
        db.session.commit()
        request_id, document_id = consultation.id, document.id
    page = client_for("requester1").get(f"/requests/{request_id}").get_data(as_text=True)
    assert "2,1 КБ" in page and "2.1 КБ" not in page
    with app.test_request_context():
        assert document_json(db.session.get(Document, document_id))["size_label"] == "2,1 КБ"  # the chat's


def test_drafts_offer_only_the_status_a_draft_has(app, client_for):
    client = client_for("requester1")

    def statuses(tab):
        html = client.get(f"/requests/{tab}/").get_data(as_text=True)
        select = re.search(r'<select[^>]*name="status".*?</select>', html, re.S).group(0)
        return re.findall(r'<option value="(\w*)"', select)

    assert statuses("drafts") == ["", "draft"]
    assert {"new", "in_work", "completed"} <= set(statuses("outgoing"))


def test_the_wizard_marks_its_current_step(app, client_for):
    client = client_for("requester1")
    with app.app_context():
        chosen = route("Кардиология", "ГКБ № 1")
        profile_id, route_id = chosen.care_profile_id, chosen.id
    for address, step in (("/requests/new/", "1."), (f"/requests/new/profile/{profile_id}", "2."),
                          (f"/requests/new/route/{route_id}", "3.")):
        html = client.get(address).get_data(as_text=True)
        current = re.findall(r'<li class="active" aria-current="step">\s*([^<]*)', html)
        assert len(current) == 1 and current[0].startswith(step), (address, current)
        assert 'class="breadcrumb tmk-steps"' in html
