"""How values read on the pages (the date and time formats themselves are in app/schemas/formatting.py)."""
import datetime

from flask_babel import gettext as _

from app.documents.library import size_label
from app.schemas.formatting import format_date, format_datetime
from app.schemas.identifiers import format_snils


def display_value(value):
    """How a value reads in a list or on a show page: no «None», «True» or «[…]»."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value)
    return value


def register_template_filters(app) -> None:
    app.add_template_filter(display_value, "display_value")
    app.add_template_filter(format_snils, "snils")
    app.add_template_filter(size_label, "size_label")  # «2,1 КБ»: the same label as the chat's
