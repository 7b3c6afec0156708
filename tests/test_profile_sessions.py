"""The profile's «Доступ» lists the account's browser sessions (issue 13, item 2): each can be ended
there («Завершить»), «Выход» ends its own, «Выйти на всех устройствах» all; an API token is no session."""
import datetime
import re

import pytest

from app.extensions import db, socketio
from app.models import TmkUser
from app.models.users import AccountSession
from app.realtime.notifications import NAMESPACE as BELL
from app.security.sessions import SEEN_EVERY
from tests.conftest import own_requester, DEMO_PASSWORD, api_token, login, make_app

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
          "Safari/537.36")


@pytest.fixture()
def app(app):
    """A fresh app over the same database, without a Redis queue (see tests/test_sessions.py)."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture()
def account(app):
    """A requester of its own: his sessions are ended here, the demo accounts are shared."""
    return own_requester(app, "sessions")


def browser(app, user_agent: str):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    return client


def rows(app, username) -> list[AccountSession]:
    with app.app_context():
        user_id = db.session.query(TmkUser.id).filter_by(username=username).scalar()
        return db.session.query(AccountSession).filter_by(user_id=user_id).order_by(AccountSession.started_at).all()


def session_id(client) -> str:
    with client.session_transaction() as stored:
        return stored["tmk_sid"]


def access_page(client) -> str:
    answer = client.get("/profile/access")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def end_buttons(page: str) -> list[str]:
    return re.findall(r'action="/profile/access/sessions/([^/"]+)/end"', page)


def test_two_sign_ins_are_listed_and_the_other_can_be_ended(app, account):
    first = login(browser(app, FIREFOX), account)
    second = login(browser(app, CHROME), account)
    second_socket = socketio.test_client(app, namespace=BELL, flask_test_client=second)
    assert second_socket.is_connected(BELL)
    page = access_page(first)
    assert "Firefox, Windows" in page and "Chrome, Linux" in page
    assert page.count("этот сеанс") == 1 and "Последняя активность" in page
    assert end_buttons(page) == [session_id(second)]  # «Завершить» on the other one only
    assert "Входы в API по токену" in page

    answer = first.post(f"/profile/access/sessions/{session_id(second)}/end")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/profile/access")
    assert "Сеанс завершён" in access_page(first)
    assert end_buttons(access_page(first)) == []
    assert not second_socket.is_connected(BELL)  # its sockets are cut
    refused = second.get("/profile/info")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert "/login" in second.get("/profile/info", follow_redirects=True).request.path
    assert access_page(first)  # this one goes on


def test_another_users_session_answers_404(app, account):
    mine = login(app.test_client(), account)
    other = login(app.test_client(), "requester1")
    other_id = session_id(other)
    assert mine.post(f"/profile/access/sessions/{other_id}/end").status_code == 404
    assert mine.post("/profile/access/sessions/no-such-session/end").status_code == 404
    assert other.get("/profile/info").status_code == 200


def test_logout_ends_its_row(app, account):
    client, other = login(app.test_client(), account), login(app.test_client(), account)
    ended_id = session_id(client)
    client.get("/logout/")
    ended = {row.id: row.ended_at for row in rows(app, account)}
    assert ended[ended_id] is not None and ended[session_id(other)] is None
    assert end_buttons(access_page(other)) == []
    assert other.post(f"/profile/access/sessions/{ended_id}/end").status_code == 404  # already ended


def test_logout_on_all_devices_empties_the_list_but_the_new_sign_in(app, account):
    first, second = login(app.test_client(), account), login(app.test_client(), account)
    first.post("/logout-everywhere/")
    assert all(row.ended_at is not None for row in rows(app, account))
    again = login(app.test_client(), account)
    page = access_page(again)
    assert page.count("этот сеанс") == 1 and end_buttons(page) == []
    assert second.get("/profile/info").status_code == 302


def test_a_password_change_ends_the_other_sessions_only(app, account):
    client, other = login(app.test_client(), account), login(app.test_client(), account)
    new_password = "Другой-Пароль-2026!"
    client.post("/profile/access", data={"current_password": DEMO_PASSWORD, "password": new_password,
                                          "conf_password": new_password})
    ended = {row.id: row.ended_at for row in rows(app, account)}
    assert ended[session_id(client)] is None and ended[session_id(other)] is not None
    assert end_buttons(access_page(client)) == []


def test_an_api_token_is_no_browser_session(app, account):
    api_token(app, account)
    assert rows(app, account) == []


def test_last_seen_is_written_every_few_minutes_only(app, account):
    client = login(app.test_client(), account)
    [row] = rows(app, account)
    client.get("/profile/info")
    assert rows(app, account)[0].last_seen_at == row.last_seen_at  # not on every request
    long_ago = row.last_seen_at - SEEN_EVERY - datetime.timedelta(seconds=1)
    with app.app_context():
        db.session.get(AccountSession, row.id).last_seen_at = long_ago
        db.session.commit()
    client.get("/profile/info")
    assert rows(app, account)[0].last_seen_at > row.last_seen_at


def test_the_end_wants_the_csrf_token(app, account):
    protected = make_app(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login/").get_data(as_text=True))
    client.post("/login/", data={"username": account, "password": DEMO_PASSWORD, "csrf_token": token.group(1)})
    other = login(app.test_client(), account)
    assert client.post(f"/profile/access/sessions/{session_id(other)}/end").status_code == 400
    assert other.get("/profile/info").status_code == 200
