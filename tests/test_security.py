"""The security baseline: headers, cookies, CSRF, login rate limit, passwords, redirects, error pages."""
import re

import pytest

from tests.conftest import DEMO_PASSWORD, login, make_app, visible_text


def test_security_headers_and_nonce(app):
    response = app.test_client().get("/login/")
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
    assert "https:" not in csp  # the video server's origin only on the room page (tests/test_video.py)
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    # each response has its own nonce
    assert nonce not in app.test_client().get("/login/").headers["Content-Security-Policy"]


def test_session_cookie_flags(app):
    response = app.test_client().post("/login/", data={"username": "regadmin", "password": DEMO_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_behind_https(app):
    secure = make_app(app.config["SQLALCHEMY_DATABASE_URI"], SESSION_COOKIE_SECURE=True)
    response = secure.test_client().post("/login/", data={"username": "regadmin", "password": DEMO_PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


def test_csrf_is_required_on_forms(app):
    protected = make_app(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    response = client.post("/login/", data={"username": "regadmin", "password": DEMO_PASSWORD})
    assert response.status_code != 302  # no token, no login
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login/", data={"username": "regadmin", "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_login_is_rate_limited_with_a_russian_page(app):
    limited = make_app(app.config["SQLALCHEMY_DATABASE_URI"], AUTH_RATE_LIMITED=True, RATELIMIT_ENABLED=True,
                       AUTH_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    codes = [client.post("/login/", data={"username": "regadmin", "password": "wrong"}).status_code for _ in range(4)]
    assert codes[:3] == [302, 302, 302] and codes[3] == 429  # wrong password: back to the form
    page = visible_text(client.post("/login/", data={"username": "regadmin", "password": "wrong"}).get_data(as_text=True))
    assert "Слишком много попыток" in page


def test_wrong_password_is_told_in_russian(app):
    response = app.test_client().post("/login/", data={"username": "regadmin", "password": "wrong"},
                                      follow_redirects=True)
    assert "Неверный логин или пароль" in visible_text(response.get_data(as_text=True))


def test_new_password_must_be_complex(app, client_for):
    client = client_for("requester1")
    response = client.post("/profile/access", data={"current_password": "Demo-2026!", "password": "simple",
                                                     "conf_password": "simple"})
    assert "Пароль должен содержать не менее 8 символов" in visible_text(response.get_data(as_text=True))
    attempt = app.test_client()
    attempt.post("/login/", data={"username": "requester1", "password": "simple"})
    assert attempt.get("/profile/info").status_code == 302  # still not signed in


def test_no_redirect_to_a_foreign_host(app):
    client = app.test_client()
    response = client.post("/login/?next=https://evil.example.com/steal",
                           data={"username": "regadmin", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "evil.example.com" not in response.headers["Location"]


def test_not_found_page_is_russian_and_generic(app, client_for):
    response = client_for("requester1").get("/no/such/page")
    assert response.status_code == 404
    text = visible_text(response.get_data(as_text=True))
    assert "Страница не найдена" in text and "Not Found" not in text


def test_api_errors_are_json_in_russian(app):
    response = app.test_client().get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json["message"] == "Страница не существует или недоступна вам."


def test_internal_error_page_leaks_nothing(app):
    app = make_app(app.config["SQLALCHEMY_DATABASE_URI"], TESTING=False)

    @app.route("/_boom")
    def boom():
        raise RuntimeError("secret detail: password=hunter2 at /srv/tmk/app.py")

    response = app.test_client().get("/_boom")
    assert response.status_code == 500
    text = visible_text(response.get_data(as_text=True))
    assert "Внутренняя ошибка" in text
    assert "hunter2" not in text and "Traceback" not in text and "RuntimeError" not in text


def test_forbidden_page_for_a_doctor_in_admin_section(app, client_for):
    response = client_for("requester1").get("/medicalorganizationview/list/", follow_redirects=True)
    text = visible_text(response.get_data(as_text=True))
    assert "Доступ запрещён" in text or "Доступ запрещен" in text


@pytest.mark.parametrize("query", ["_oc_RouteView=nope&_od_RouteView=asc", "psize_RouteView=abc",
                                   "page_RouteView=x", "psize_RouteView=100000"])
def test_malformed_list_arguments_are_a_bad_request(app, client_for, query):
    response = client_for("regadmin").get(f"/routeview/list/?{query}")
    assert response.status_code == 400
    assert "Некорректный запрос" in visible_text(response.get_data(as_text=True))


def test_logout_ends_the_session(app):
    client = login(app.test_client(), "regadmin")
    assert client.get("/users/list/").status_code == 200
    client.get("/logout/")
    assert client.get("/users/list/").status_code == 302


def test_login_limit_is_shared_through_redis(app):
    """With REDIS_URL the login limit counts across processes: two apps, one budget."""
    import os

    import redis

    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set")
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter("LIMITS*"):  # only the limiter's counters of earlier runs
        client.delete(key)
    settings = dict(REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url, AUTH_RATE_LIMITED=True,
                    RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="3 per minute")
    first = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings).test_client()
    second = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings).test_client()
    wrong = {"username": "regadmin", "password": "wrong"}
    codes = [first.post("/login/", data=wrong).status_code for _ in range(2)]
    codes.append(second.post("/login/", data=wrong).status_code)
    assert codes == [302, 302, 302]
    assert second.post("/login/", data=wrong).status_code == 429
    assert first.post("/login/", data=wrong).status_code == 429
