"""Input that the database cannot hold is refused at the door, for every page and API alike:

- NUL characters (PostgreSQL keeps none in text) and lone surrogates (not encodable as UTF-8) in the
  path, a query argument, a form field or a JSON string answer 400 «Текст содержит недопустимые
  символы» instead of a 500 from the database. Chat over the socket keeps dropping NUL itself
  (app/workflow/chat.py): this guard sees HTTP only.
- Reading the form here also meets an over-size body before any view's @safe could turn the 413 into
  a 500.
- Every <int:…> in a URL is an id: outside 1…2^31-1 (an INTEGER column) it is 404, as an unknown id is;
  so is FAB's <pk> (a string in its routes; every primary key of the portal is an INTEGER).
"""
import re

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import IntegerConverter, ValidationError

from app.schemas.identifiers import MAX_ID, is_id

NOT_STORABLE = re.compile("[\x00\ud800-\udfff]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class IdConverter(IntegerConverter):
    """<int:…> for row ids: ASCII digits only (werkzeug's \\d takes «１»), 1…MAX_ID, else 404."""

    regex = r"-?[0-9]+"  # a sign too, so that -1 is this rule's 404 rather than another rule's 405

    def __init__(self, url_map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value):
        """An id out of range is an unknown row: 404 at once. (A refused value would let the router try the
        next rule, e.g. FAB's PUT/DELETE …/<pk> for a GET …/<int:pk>, and answer 405.)"""
        try:
            return super().to_python(value)
        except ValidationError:
            raise NotFound() from None


class InvalidText(BadRequest):
    description = _l("The text contains characters that are not allowed")


def _has_bad_text(value) -> bool:
    if isinstance(value, str):
        return NOT_STORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_bad_text(key) or _has_bad_text(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_bad_text(item) for item in value)
    return False


def refuse_bad_input():
    pk = (request.view_args or {}).get("pk")
    if pk is not None and not is_id(str(pk)):
        abort(404)
    texts = [request.path]
    fields = [request.args]
    if request.mimetype in FORM_TYPES:
        fields.append(request.form)  # an over-size body is a 413 here
    for multidict in fields:
        for key, values in multidict.lists():
            texts += [key, *values]
    if any(_has_bad_text(text) for text in texts):
        raise InvalidText()
    if request.is_json and _has_bad_text(request.get_json(silent=True)):
        raise InvalidText()


def init_input_guard(app: Flask) -> None:
    """Call before any view is registered: the routes take their converters when they are added."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_bad_input)
