"""«Недоставленные письма»: notification e-mails that failed, read-only for the administrator of the
recipient's МО (the accounts he manages, app/security/access.py) and the regional administrator — so
that a wrong address is corrected rather than silently never written to."""
from flask_appbuilder import ModelView
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterNotEqual
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.models import Notification, TmkUser
from app.schemas.formatting import format_datetime
from app.security.access import current_actor, managed_users_clause
from app.views.base import EagerSQLAInterface, PortalViewMixin

STATE_LABELS = {"failed": _l("Not delivered"), "pending": _l("Being retried")}
# the stored error begins with its exception's name (app/jobs/tasks.py): what it means for the administrator,
# in Russian; the mail server's own English words stay in the tooltip, for whoever looks into the server
ERROR_LABELS = [
    (("BadHeaderError", "SMTPRecipientsRefused"), _l("The address was not accepted: check the user's e-mail")),
    (("SMTPSenderRefused",), _l("The mail server did not accept the portal's sender address")),
    (("SMTPAuthenticationError",), _l("The mail server refused the portal's login")),
    (("SMTPDataError",), _l("The mail server refused the message")),
    (("ConnectionRefusedError", "SMTPConnectError", "SMTPServerDisconnected", "TimeoutError", "timeout",
      "gaierror", "OSError"), _l("The mail server could not be reached")),
]


def error_label(stored: str) -> Markup:
    name = stored.split(":", 1)[0].strip()
    label = next((label for names, label in ERROR_LABELS if name in names), _l("The message could not be sent"))
    return Markup('<span title="{}">{}</span>').format(stored, label)


class RecipientManagedFilter(BaseFilter):
    name = "recipient managed by the actor"

    def apply(self, query, value):
        managed = select(TmkUser.id).where(managed_users_clause(current_actor(), TmkUser))
        return query.filter(Notification.user_id.in_(managed))


class UndeliveredMailView(PortalViewMixin, ModelView):
    route_base = "/undelivered-mail"
    datamodel = EagerSQLAInterface(Notification, selectinload(Notification.user),
                                   selectinload(Notification.request))
    base_permissions = ["can_list", "can_show"]
    list_title = show_title = _l("Undelivered e-mail")
    label_columns = {
        "created_at": _l("Date"),
        "user": _l("Recipient"),
        "request": _l("Request"),
        "email_state": _l("State"),
        "email_attempts": _l("Attempts"),
        "email_next_attempt_at": _l("Next attempt"),
        "email_error": _l("Error"),
    }
    list_columns = ["created_at", "user", "request", "email_state", "email_attempts", "email_error"]
    show_columns = ["created_at", "user", "request", "email_state", "email_attempts", "email_next_attempt_at",
                    "email_error"]
    formatters_columns = {
        "email_state": lambda state: str(STATE_LABELS.get(state, state)),
        "created_at": format_datetime,
        "email_next_attempt_at": format_datetime,
        "email_error": error_label,
    }
    search_columns = ["created_at", "email_state"]
    order_columns = ["created_at"]
    base_order = ("created_at", "desc")
    # a failed attempt at least: given up, or still being retried
    base_filters = [["email_error", FilterNotEqual, ""], ["user_id", RecipientManagedFilter, lambda: None]]
