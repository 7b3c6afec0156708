"""Russian everywhere: the catalogs are complete and no page a role can open shows English UI text."""
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import flask_appbuilder
from tests.conftest import visible_text

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = [ROOT / "app/translations/ru/LC_MESSAGES", ROOT / "app/translations/fab/ru/LC_MESSAGES"]
ROLES_USERS = ["regadmin", "moadmin1", "coordinator1", "consultant1", "requester1"]
# English words FAB puts on pages without gettext, and leftovers of Python values
ENGLISH_WORDS = re.compile(
    r"\b(Add|Edit|Show|Delete|Search|Save|Back|List|Record Count|Actions|Cancel|None|True|False|"
    r"Login|Logout|Profile|Username|Password|Home|Next|Previous|Page|Select|Filter)\b"
)


@pytest.mark.parametrize("folder", CATALOGS, ids=["ours", "fab-supplement"])
def test_catalog_is_translated_and_compiled(folder):
    source = read_po((folder / "messages.po").open("rb"))
    untranslated = [m.id for m in source if m.id and not m.string]
    assert untranslated == []
    compiled = read_mo((folder / "messages.mo").open("rb"))
    as_dict = lambda catalog: {m.id: m.string for m in catalog if m.id}  # noqa: E731
    assert as_dict(compiled) == as_dict(source), "run babel/update-catalog.sh: the .mo is stale"


def _english_msgids() -> set[str]:
    """Every English UI string of FAB and of ours (their msgids), as a detector."""
    ids = set()
    fab_po = Path(flask_appbuilder.__file__).parent / "translations/ru/LC_MESSAGES/messages.po"
    for path in [fab_po, *(folder / "messages.po" for folder in CATALOGS)]:
        for message in read_po(path.open("rb")):
            if message.id and isinstance(message.id, str) and message.string != message.id:
                ids.add(message.id)  # (an id translated as itself, like «DICOM», reads the same in Russian)
    # ignore ids that read the same in Russian or are not words
    return {i for i in ids if len(i) > 3 and re.search(r"[A-Za-z]{3}", i) and i not in {"E-mail", "Email", "OpenID"}}


ENGLISH = _english_msgids()


def _menu_links(html: str) -> set[str]:
    """Links to pages; of the query-string variants only the finished-requests switch and the full
    patient data, which show other text."""
    links = set()
    for href in re.findall(r'href="(/[^"#]*)"', html):
        href = href.replace("&amp;", "&")
        if href.startswith(("/static", "/appbuilder", "/logout", "/lang")):
            continue
        path, _, query = href.partition("?")
        if not query or re.fullmatch(r"patient=full|selected=\d+|closed=1(&page=0)?(&selected=)?", query):
            links.add(href if query else path)
    return links


PROFILE_TABS = ["/profile/info", "/profile/photo", "/profile/access", "/profile/contacts", "/profile/notifications"]


def _pages_of(client) -> dict[str, str]:
    """The start page, every menu link, the add/show/edit pages reachable from the lists (two of
    each kind), the own profile's tabs."""
    pages, seen_kinds = {}, {}
    queue = ["/", *PROFILE_TABS]
    while queue:
        path = queue.pop(0)
        kind = re.sub(r"\d+", "N", path.split("?")[0]) + ("?" in path) * "?"
        if path in pages or seen_kinds.get(kind, 0) >= 2:
            continue
        seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":  # a file of a request is no page
            continue
        html = response.get_data(as_text=True)
        pages[path] = html
        for link in sorted(_menu_links(html)):
            if re.search(r"/(list|add|show/\d+|edit/\d+|userinfo|form)/?$", link) or link.startswith("/requests/"):
                queue.append(link)
    return pages


@pytest.mark.parametrize("username", ROLES_USERS)
def test_no_english_on_any_page_of_a_role(app, client_for, username):
    pages = _pages_of(client_for(username))
    assert {"/", "/directory/list/", *PROFILE_TABS, "/requests/all/", "/requests/available/"} <= set(pages)
    assert any(re.fullmatch(r"/requests/\d+", p) for p in pages), "no request page was reached"
    if username == "requester1":
        assert {"/requests/outgoing/", "/requests/drafts/", "/requests/new/"} <= set(pages)
        assert any(p.startswith("/requests/new/route/") for p in pages)
    if username == "regadmin":  # the crawl reaches every administration screen
        for view in ("medicalorganizationview", "departmentview", "careprofileview", "routeview", "urgencyruleview",
                     "users"):
            assert {f"/{view}/list/", f"/{view}/add"} <= set(pages), view
            assert any(p.startswith(f"/{view}/edit/") for p in pages), view
    problems = []
    for path, html in pages.items():
        text = visible_text(html)
        found = [w for w in ENGLISH_WORDS.findall(text)]
        found += [m for m in ENGLISH if m in text]
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        if re.search(r"[A-Za-z]{4,}", title):
            found.append(f"title: {title.strip()}")
        if found:
            problems.append((path, sorted(set(found))))
    assert problems == []


def test_login_page_is_russian(app):
    text = visible_text(app.test_client().get("/login/").get_data(as_text=True))
    assert "Войти" in text and "Пароль" in text and "Логин" in text
    assert not ENGLISH_WORDS.search(text)


def test_dates_are_russian_and_times_in_moscow(app):
    import datetime

    from app.views.formatting import display_value

    with app.test_request_context():
        assert display_value(datetime.date(2026, 3, 7)) == "07.03.2026"
        # stored in UTC, shown in Europe/Moscow (UTC+3)
        assert display_value(datetime.datetime(2026, 3, 7, 21, 30)) == "08.03.2026 00:30"
        assert display_value(True) == "Да" and display_value(None) == "" and display_value(["а", "б"]) == "а, б"
