"""«Помощь» (issue 13, item 1): the guide and the FAQ for everyone, the FAQ's editing for the regional
administrator only, Markdown made safe, and the search with Russian morphology on SQLite and PostgreSQL."""
import re

import pytest
from sqlalchemy import delete, select, text

from app.extensions import db
from app.help.guide import pages
from app.help.search import search
from app.models import HelpArticle, HelpSearchEntry
from tests.conftest import visible_text

EVERYONE = ["regadmin", "moadmin1", "coordinator1", "consultant1", "requester1"]


@pytest.fixture()
def articles(app):
    """FAQ articles made for one test and deleted after it: articles(("question", "answer"), …) → ids. Each in
    an app context of its own: a test client's requests inside an open one would share its ``g`` (the user)."""
    made = []

    def make(*pairs):
        with app.app_context():
            rows = [HelpArticle(question=q, answer=a, position=index) for index, (q, a) in enumerate(pairs)]
            db.session.add_all(rows)
            db.session.commit()
            made.extend(row.id for row in rows)
            return [row.id for row in rows]

    yield make
    with app.app_context():
        db.session.execute(delete(HelpArticle).where(HelpArticle.id.in_(made)))
        db.session.commit()


def _questions(app, **where) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(HelpArticle.question).filter_by(**where)))


def _faq_hits(hits, ids):
    return [hit for hit in hits if hit.source == "faq" and int(hit.key) in ids]


def test_other_forms_of_a_word_are_found(app, db_session, articles):
    sign_verb, sign_noun, request_noun, other = articles(
        ("Бланк согласия", "Врач должен подписать бланк до отправки."),
        ("Где хранится скан", "Скан хранится вместе с его подпись-файлом."),
        ("Куда уходит обращение", "Каждая заявка уходит в консультирующую МО."),
        ("Пароль", "Пароль меняется в профиле."),
    )
    hits = search(db_session, "подписи")
    found = {int(hit.key) for hit in _faq_hits(hits, {sign_verb, sign_noun, request_noun, other})}
    assert found == {sign_verb, sign_noun}
    verb = _faq_hits(hits, {sign_verb})[0]
    assert "<mark>подписать</mark>" in verb.snippet
    assert "<mark>подпись</mark>" in _faq_hits(hits, {sign_noun})[0].snippet

    hits = search(db_session, "заявку")
    assert [int(hit.key) for hit in _faq_hits(hits, {sign_verb, sign_noun, request_noun, other})] == [request_noun]
    assert "<mark>заявка</mark>" in _faq_hits(hits, {request_noun})[0].snippet
    # the guide is searched too, and every word of the query must match
    assert any(hit.source == "guide" for hit in hits)
    assert _faq_hits(search(db_session, "заявку пароль"), {request_noun, other}) == []


def test_a_match_in_the_title_ranks_above_one_in_the_text(app, db_session, articles):
    in_text, in_title = articles(("Прочее", "Бланк нужно зарегистрировать в канцелярии, а потом ещё раз проверить."),
                                 ("Как зарегистрировать бланк", "В канцелярии."))
    keys = [int(hit.key) for hit in _faq_hits(search(db_session, "зарегистрировать бланк"), {in_text, in_title})]
    assert keys == [in_title, in_text]


def test_the_index_follows_the_faq_and_holds_every_guide_section(app, db_session, articles):
    (article_id,) = articles(("Вопрос о шифровании", "Первый ответ."))
    assert _faq_hits(search(db_session, "шифрования"), {article_id})
    article = db_session.get(HelpArticle, article_id)
    article.question = "Вопрос о печати"
    db_session.commit()
    assert _faq_hits(search(db_session, "шифрования"), {article_id}) == []
    assert _faq_hits(search(db_session, "печать"), {article_id})
    guide_keys = set(db_session.scalars(select(HelpSearchEntry.key).where(HelpSearchEntry.source == "guide")))
    assert guide_keys == {f"{page.slug}#{section.anchor}" for page in pages() for section in page.sections}


def test_the_results_page_highlights_escaped_text(app, client_for, articles):
    (article_id,) = articles(("<b>Подпись</b> & <script>alert(1)</script>", "Ответ про подпись."))
    html = client_for("consultant1").get("/help/?q=подписи").get_data(as_text=True)
    assert f'href="/help/#faq-{article_id}"' in html
    assert "&lt;b&gt;<mark>Подпись</mark>&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html and "<b>Подпись" not in html
    assert "Результаты поиска" in html and "Найдено:" in html


@pytest.mark.parametrize("query", ["!!!", "и в на", "а", "\u00a0 ,;", '"подпис" OR * ) (', "NEAR(a b)", "x" * 500,
                                   "' & | ! :*", "½²٣ x2y ⅷ"])
def test_a_query_without_words_or_with_syntax_gets_an_answer_not_an_error(app, client_for, query):
    response = client_for("requester1").get("/help/", query_string={"q": query})
    assert response.status_code == 200
    text = visible_text(response.get_data(as_text=True))
    assert "Введите слово для поиска" in text or "ничего не найдено" in text or "Найдено:" in text


def test_markdown_is_rendered_and_made_safe(app, client_for, articles):
    (article_id,) = articles(("Опасный ответ", "**Жирно** и [портал](https://example.org/)\n\n<script>alert(1)</script>\n\n"
                                              "[ссылка](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
                                              "[ещё](JaVaScRiPt:alert(2)) ![картинка](data:image/png;base64,AAAA)"))
    html = client_for("requester1").get("/help/").get_data(as_text=True)
    answer = re.search(rf'id="faq-{article_id}".*?</details>', html, re.S).group()
    assert "<strong>Жирно</strong>" in answer
    assert '<a href="https://example.org/" rel="noopener noreferrer">портал</a>' in answer
    lowered = answer.lower()
    assert "<script" not in lowered and "<img src=x" not in lowered  # typed tags are text: &lt;img …
    assert 'href="javascript' not in lowered and 'src="data:' not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer  # what was typed is shown as text


@pytest.mark.parametrize("login", EVERYONE)
def test_everyone_reads_the_guide_and_the_faq(app, client_for, articles, login):
    articles(("Как сменить пароль?", "В **профиле**."))
    client = client_for(login)
    html = client.get("/help/").get_data(as_text=True)
    assert "Руководство пользователя" in html and "Как сменить пароль?" in html
    assert 'id="tmk-help"' in html  # «Помощь» at the top right
    for page in pages():
        response = client.get(f"/help/guide/{page.slug}")
        assert response.status_code == 200
        assert f"<h1>{page.title}</h1>" in response.get_data(as_text=True)
    assert client.get("/help/guide/nothing").status_code == 404


def test_the_guide_shows_its_screenshots_from_the_repository(app, client_for):
    html = client_for("requester1").get("/help/guide/lists").get_data(as_text=True)
    images = re.findall(r'<img src="([^"]+)"', html)
    assert images and all(src.startswith("/static/help/") for src in images)
    assert re.findall(r'<a href="(/static/help/[^"]+)"', html) == images  # each opens full size
    client = client_for("requester1")
    for src in images:
        assert client.get(src).status_code == 200, src


def test_anonymous_is_sent_to_the_login(app):
    response = app.test_client().get("/help/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_only_the_regional_administrator_edits_the_faq(app, client_for):
    admin = client_for("regadmin")
    assert admin.get("/help-articles/list/").status_code == 200
    response = admin.post("/help-articles/add", data={"question": "Вопрос администратора", "answer": "Ответ.",
                                                      "position": "5"})
    assert response.status_code == 302
    with app.app_context():
        article_id = db.session.scalar(select(HelpArticle.id).filter_by(question="Вопрос администратора"))
    response = admin.post(f"/help-articles/edit/{article_id}", data={"question": "Вопрос изменён",
                                                                     "answer": "Ответ.", "position": "6"})
    assert response.status_code == 302
    assert _questions(app, id=article_id, position=6) == ["Вопрос изменён"]
    assert "Вопрос изменён" in admin.get("/help-articles/list/").get_data(as_text=True)

    for login in EVERYONE[1:]:
        client = client_for(login)
        assert client.get("/help-articles/list/").status_code == 403, login
        assert client.get(f"/help-articles/show/{article_id}").status_code == 403, login
        assert client.post("/help-articles/add", data={"question": "Чужой", "answer": "x", "position": "1"}
                           ).status_code == 403, login
        assert client.post(f"/help-articles/edit/{article_id}", data={"question": "Чужой", "answer": "x",
                                                                      "position": "1"}).status_code == 403, login
        assert client.post(f"/help-articles/delete/{article_id}").status_code == 403, login
        assert "/help-articles/" not in client.get("/help/").get_data(as_text=True)  # not in their menu
    assert _questions(app, id=article_id) == ["Вопрос изменён"]
    assert _questions(app, question="Чужой") == []

    assert admin.post(f"/help-articles/delete/{article_id}").status_code == 302
    assert _questions(app, id=article_id) == []


def test_the_faq_form_refuses_an_empty_answer_in_russian(app, client_for):
    response = client_for("regadmin").post("/help-articles/add", data={"question": "Без ответа", "answer": "",
                                                                       "position": "x"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<textarea class="form-control" id="answer"[^>]* rows="12"', html)
    text = visible_text(html)
    assert "Обязательное поле." in text and "Неверное целое число." in text
    assert _questions(app, question="Без ответа") == []


def test_postgresql_finds_through_the_gin_index(app, db_session):
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("the GIN index is PostgreSQL's; SQLite searches its FTS5 table")
    db_session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = db_session.execute(text(
        "EXPLAIN SELECT id FROM help_search_entry "
        "WHERE to_tsvector('russian', title || ' ' || body) @@ to_tsquery('simple', '''подпис'':*')")).scalars().all()
    assert any("ix_help_search_entry_tsv" in line for line in plan), plan
