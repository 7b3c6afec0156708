"""«Проверка оборудования» as the server gives it: linked from «Доступ», every control labelled, its script allowed by
the page's CSP, its style on this page only, and every text the script shows (the verdicts, the device names it
makes up) in Russian. What the page does in a browser: tests/browser/test_equipment.py."""
import re

import pytest

from tests.conftest import login

PAGE = "/video/equipment"


@pytest.fixture(scope="module")
def answer(app):
    return login(app.test_client(), "requester1").get(PAGE)


@pytest.fixture(scope="module")
def html(answer) -> str:
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_the_access_tab_leads_to_the_check(app):
    tab = login(app.test_client(), "coordinator1").get("/profile/access").get_data(as_text=True)
    assert re.search(rf'<a class="btn btn-default" href="{PAGE}">.*Проверить оборудование</a>', tab)
    assert "equipment.css" not in tab  # the page's own style stays on the page


def test_the_page_is_russian_and_every_control_is_labelled(html):
    assert "<h1>Проверка оборудования</h1>" in html
    for control in ("eq-camera", "eq-microphone", "eq-speaker"):
        assert re.search(rf'<label class="control-label" for="{control}">[А-Яа-я ]+</label>', html), control
        assert f'<select class="form-control" id="{control}"' in html
    assert 'role="meter" aria-labelledby="eq-level-label"' in html
    assert '<p class="tmk-eq-label" id="eq-level-label">Уровень звука</p>' in html
    assert "Слышите ли вы звук?" in html
    # the manual's advice (§3.5.2) under the check
    assert "Если не удаётся выйти на связь" in html and "AdBlock" in html


def test_every_text_the_script_shows_is_translated(html):
    """The verdicts and the made-up device names live in data-* attributes, out of the i18n test's sight."""
    texts = re.findall(r'\sdata-(?:pending|ok|blank|dark|ended|denied|missing|busy|silent|suspended|unheard|failed|insecure|'
                       r'unsupported|unnamed-\w+|again)="([^"]*)"', html)
    assert len(texts) > 25
    english = [text for text in texts if re.search(r"[a-z]{3,}", re.sub(r"Skype|Zoom|{\w+}", "", text))]
    assert english == []
    assert re.search(r'data-unnamed-videoinput="Камера \{n\}"', html)
    assert re.search(r'data-ok="Камера работает, изображение \{size\}"', html)


def test_the_script_runs_under_the_pages_csp(answer, html):
    nonce = re.search(r"'nonce-([^']+)'", answer.headers["Content-Security-Policy"]).group(1)
    assert re.search(rf'<script src="/static/js/equipment.js" nonce="{re.escape(nonce)}"></script>', html)
    assert '<link href="/static/css/equipment.css" rel="stylesheet">' in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline handlers: the CSP would refuse them


def test_an_anonymous_visitor_is_sent_to_sign_in(app):
    answer = app.test_client().get(PAGE)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
