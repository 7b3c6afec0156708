"""Login limits (issue 11, item 3 and item 8's login): the form and the JWT login share a budget of
failed sign-ins per account name and one per client address; the address is the real client's behind
nginx (TMK_PROXY_COUNT); a locked name locks no one else; Redis down fails open to memory, never 500."""
import os
import secrets

import pytest

from tests.conftest import DEMO_PASSWORD, make_app, visible_text

DEAD_REDIS = "redis://127.0.0.1:1/0"


def limited(app, **overrides):
    settings = dict(AUTH_RATE_LIMITED=True, RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="100 per minute",
                    TMK_AUTH_ACCOUNT_RATE_LIMIT="3 per minute", RATELIMIT_KEY_PREFIX=secrets.token_hex(6))
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], **{**settings, **overrides})


def form_login(client, username, password, **kwargs):
    return client.post("/login/", data={"username": username, "password": password}, **kwargs)


def api_login(client, username, password, **kwargs):
    return client.post("/api/v1/security/login", json={"username": username, "password": password, "provider": "db"},
                       **kwargs)


def signed_in(response) -> bool:
    return response.status_code == 302 and "/login" not in response.headers["Location"]


def test_the_api_login_is_limited_per_account_and_a_locked_name_locks_no_one_else(app):
    client = limited(app).test_client()
    assert [api_login(client, "requester1", "wrong").status_code for _ in range(3)] == [401, 401, 401]
    refused = api_login(client, "requester1", DEMO_PASSWORD)  # even the right password, for now
    assert refused.status_code == 429
    assert refused.json["message"].startswith("Слишком много попыток")
    assert "access_token" not in refused.json
    # the same address, another account: not locked
    assert api_login(client, "requester2", DEMO_PASSWORD).status_code == 200


def test_the_form_and_the_api_share_the_account_budget(app):
    client = limited(app).test_client()
    assert [form_login(client, "REQUESTER1", "wrong").status_code for _ in range(2)] == [302, 302]
    assert api_login(client, "requester1", "wrong").status_code == 401
    page = form_login(client, "requester1", DEMO_PASSWORD)
    assert page.status_code == 429 and "Слишком много попыток" in visible_text(page.get_data(as_text=True))
    assert api_login(client, "requester1", DEMO_PASSWORD).status_code == 429
    assert signed_in(form_login(client, "moadmin1", DEMO_PASSWORD))


def test_successful_sign_ins_are_not_counted(app):
    client = limited(app).test_client()
    for _ in range(5):
        assert signed_in(form_login(client, "requester1", DEMO_PASSWORD))
        client.get("/logout/")
        assert api_login(client, "requester1", DEMO_PASSWORD).status_code == 200


def test_the_address_limit_counts_the_real_client_behind_the_proxy(app):
    client = limited(app, TMK_PROXY_COUNT=1, AUTH_RATE_LIMIT="3 per minute",
                     TMK_AUTH_ACCOUNT_RATE_LIMIT="100 per minute").test_client()
    one, other = {"X-Forwarded-For": "10.1.1.1"}, {"X-Forwarded-For": "10.2.2.2"}
    codes = [form_login(client, name, "wrong", headers=one).status_code for name in ("a1", "a2", "a3", "a4")]
    assert codes == [302, 302, 302, 429]  # one address tries many names
    assert api_login(client, "requester1", DEMO_PASSWORD, headers=one).status_code == 429
    # another doctor behind the same nginx is not locked out
    assert signed_in(form_login(client, "requester1", DEMO_PASSWORD, headers=other))


def test_without_a_proxy_the_forwarded_header_is_not_trusted(app):
    client = limited(app, AUTH_RATE_LIMIT="3 per minute", TMK_AUTH_ACCOUNT_RATE_LIMIT="100 per minute").test_client()
    for number in range(3):
        form_login(client, f"b{number}", "wrong", headers={"X-Forwarded-For": f"10.0.0.{number}"})
    assert form_login(client, "b9", "wrong", headers={"X-Forwarded-For": "10.9.9.9"}).status_code == 429


def test_redis_down_the_login_works_and_is_still_limited_in_memory(app):
    """Fail open to memory (README «Configuration»): no 500, sign-in possible, the limits count per process."""
    client = limited(app, REDIS_URL=DEAD_REDIS, RATELIMIT_STORAGE_URI=DEAD_REDIS,
                     RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 1}).test_client()
    assert signed_in(form_login(client, "requester1", DEMO_PASSWORD))
    client.get("/logout/")
    codes = [form_login(client, "requester2", "wrong").status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    assert api_login(client, "requester2", DEMO_PASSWORD).status_code == 429
    assert api_login(client, "moadmin1", DEMO_PASSWORD).status_code == 200


def test_the_account_limit_is_shared_through_redis(app):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set")
    prefix = secrets.token_hex(6)  # this run's counters only
    first = limited(app, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=prefix,
                    SOCKETIO_CHANNEL=f"tmk-test-{prefix}").test_client()
    second = limited(app, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=prefix,
                     SOCKETIO_CHANNEL=f"tmk-test-{prefix}").test_client()
    assert form_login(first, "requester1", "wrong").status_code == 302
    assert api_login(second, "requester1", "wrong").status_code == 401
    assert form_login(first, "requester1", "wrong").status_code == 302
    assert api_login(second, "requester1", DEMO_PASSWORD).status_code == 429
    assert api_login(first, "requester2", DEMO_PASSWORD).status_code == 200


def test_wrong_current_passwords_on_the_profile_spend_the_accounts_login_budget(app):
    """«Доступ» asks for the current password: a session left open is no way to guess it around the limit."""
    from tests.conftest import login, own_requester

    limited_app = limited(app)
    name = own_requester(limited_app, "guess")
    client = login(limited_app.test_client(), name)
    tries = [client.post("/profile/access", data={"current_password": f"wrong-{i}", "password": "Nov-Parol-2026!",
                                                  "conf_password": "Nov-Parol-2026!"}) for i in range(3)]
    assert [t.status_code for t in tries] == [422, 422, 422]
    assert "Текущий пароль указан неверно" in visible_text(tries[-1].get_data(as_text=True))
    refused = client.post("/profile/access", data={"current_password": DEMO_PASSWORD, "password": "Nov-Parol-2026!",
                                                   "conf_password": "Nov-Parol-2026!"})
    assert refused.status_code == 429 and "Слишком много попыток" in visible_text(refused.get_data(as_text=True))
    # the same budget as the login's: the account's sign-in waits too; another account does not
    assert form_login(limited_app.test_client(), name, DEMO_PASSWORD).status_code == 429
    assert signed_in(form_login(limited_app.test_client(), "moadmin1", DEMO_PASSWORD))
    # the profile's other forms are not counted
    assert client.get("/profile/access").status_code == 200
