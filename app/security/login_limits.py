"""Login limits: the form (/login/) and the API (/api/v1/security/login) share two budgets of failed
sign-ins, one per account name (TMK_AUTH_ACCOUNT_RATE_LIMIT) and one per client address
(AUTH_RATE_LIMIT). Counting per address alone locked everyone out behind one proxy or one hospital's
NAT; counting per name alone lets one address try every name. A locked name locks only itself.

Only failed attempts are counted (a doctor who signs in ten times a day is not locked); when a budget
is spent even the right password answers 429 until the window passes. The client's address is the real
one behind nginx through ProxyFix (TMK_PROXY_COUNT, app/__init__.py).

Storage: Redis when REDIS_URL is set (every process counts in one place), memory otherwise. If Redis is
unreachable the limits fail OPEN TO MEMORY (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED, config.py): each
process keeps counting on its own until Redis is back. Failing closed would stop every sign-in of the
region — emergency consultations included — for as long as Redis is down, and failing fully open would
drop the limits; per process they still bound a guesser to a few times the budget.
"""
from flask import current_app, g, request
from flask_login import current_user
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def _account_name() -> str:
    """The name being signed in to, as FAB finds it (case-insensitively), from the form or the JSON."""
    if request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    else:
        name = request.form.get("username")
    return "account:" + (name.strip().lower()[:256] if isinstance(name, str) else "")


def _failed(_response) -> bool:
    return not g.get("tmk_login_succeeded", False)


def limit_logins(limiter: Limiter, *views) -> None:
    """Both budgets on the login endpoint of each view (FAB's AuthDBView, SecurityApi)."""
    logins = {f"{view.blueprint.name}.login" for view in views}

    def not_a_login() -> bool:  # a blueprint limit covers the blueprint: only the logins are counted
        return request.endpoint not in logins

    budgets = (
        ("login-address", lambda: current_app.config["AUTH_RATE_LIMIT"], get_remote_address),
        ("login-account", lambda: current_app.config["TMK_AUTH_ACCOUNT_RATE_LIMIT"], _account_name),
    )
    for view in views:
        for scope, limit, key in budgets:
            limiter.shared_limit(limit, scope=scope, key_func=key, methods=["POST"], exempt_when=not_a_login,
                                 deduct_when=_failed)(view.blueprint)


# set by a view that checked a signed-in user's current password and found it wrong
_WRONG_PASSWORD = "tmk_wrong_current_password"


def count_wrong_password() -> None:
    g.setdefault(_WRONG_PASSWORD, True)


def limit_password_checks(limiter: Limiter, blueprint, endpoint: str) -> None:
    """A form that asks a signed-in user for his current password (profile → «Доступ») is a sign-in of
    that account too: its wrong passwords spend the account's login budget, so a session left open on a
    shared computer is no way to guess the password around the login's limit."""

    def not_a_check() -> bool:
        return request.endpoint != endpoint

    def signed_in_account() -> str:
        return "account:" + (current_user.username.lower() if current_user.is_authenticated else "")

    limiter.shared_limit(lambda: current_app.config["TMK_AUTH_ACCOUNT_RATE_LIMIT"], scope="login-account",
                         key_func=signed_in_account, methods=["POST"], exempt_when=not_a_check,
                         deduct_when=lambda _response: g.get(_WRONG_PASSWORD, False))(blueprint)
