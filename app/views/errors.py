"""Generic Russian error pages (JSON under /api/) that reveal nothing about the data or the code."""
from flask import Flask, current_app, g, render_template, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Check the entered data.")),
    403: (_l("Access denied"), _l("You do not have the rights to open this page.")),
    404: (_l("Page not found"), _l("The page does not exist or you may not see it.")),
    405: (_l("Action not allowed"), _l("This action is not available here.")),
    413: (_l("File too large"), _l("The file exceeds the allowed size.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a minute and try again.")),
    500: (_l("Internal error"), _l("Something went wrong on the server. The error has been logged; try again later.")),
}


def _render(error: HTTPException):
    code = error.code or 500
    title, text = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if isinstance(error.description, LazyString):  # our own Russian reason (werkzeug's are English)
        text = error.description
    elif code == 413:  # the limit in the words of the chat's upload (app/api/messages.py)
        text = _l("The file is larger than %(mb)d MB, the largest the portal accepts",
                  mb=current_app.config["TMK_MAX_UPLOAD_MB"])
    if request.path.startswith("/api/"):
        return {"message": str(text)}, code
    if not hasattr(g, "user"):
        # refused before FAB's before_request set g.user (a CSRF check, an over-size body, bad text):
        # the layout reads it, so set it as FAB would
        g.user = current_user
    page = render_template(
        "tmk/error.html", appbuilder=current_app.appbuilder, code=code, title=title, text=text
    )
    return page, code


def register_error_handlers(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, _render)

    @app.errorhandler(Exception)
    def unexpected(error):  # an exception that is not an HTTP error: log it, show the generic page
        if isinstance(error, HTTPException):
            return _render(error)
        app.logger.exception("Unhandled error")
        return _render(InternalServerError())
