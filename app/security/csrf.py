"""CSRF on the REST API: one rule for every API blueprint.

A request the browser's session cookie authenticates could be another site's form or fetch riding on
that cookie: like the portal's forms, it must carry the page's CSRF token (header X-CSRFToken, the
pages take it from <meta name="csrf-token">). A client with a JWT (Authorization: Bearer) needs none:
no other site can set that header, and it has no session. Safe methods change nothing and need none.
"""
from flask import current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.extensions import csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def require_csrf_with_cookie():
    """before_request of the API blueprints (app/__init__.py)."""
    if request.method in SAFE_METHODS or not current_app.config["WTF_CSRF_ENABLED"]:
        return None
    if not current_user.is_authenticated:  # no session: the JWT (or nothing, then 401) decides
        return None
    try:
        csrf.protect()
    except CSRFError:
        response = jsonify(message=str(_l("The page is out of date: reload it and try again")))
        response.status_code = 400
        return response
    return None
