"""Notification e-mails: the request's number, what happened and a link — never a diagnosis, a patient's
name or any other medical content."""
import smtplib
from pathlib import Path

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_mail import Message as MailMessage

from app.extensions import mail
from app.models import Notification
from app.workflow.transitions import HISTORY_LABELS


def compose(notification: Notification) -> MailMessage:
    """Must run in a request context made for the portal's address (see tasks._portal_context)."""
    number = notification.request.number
    what = str(HISTORY_LABELS.get(notification.event.action, notification.event.action))
    link = url_for("RequestsView.show", request_id=notification.request_id, _external=True)
    body = "\n".join([
        _("Hello, %(name)s!", name=notification.user.first_name),
        "",
        _("Request %(number)s: %(what)s.", number=number, what=what),
        _("Open the request: %(link)s", link=link),
        "",
        _("This message was sent by the telemedicine portal automatically. Medical details are only in the portal."),
        _("E-mail notifications can be switched off in your profile."),
    ])
    return MailMessage(subject=_("TMK: %(number)s — %(what)s", number=number, what=what),
                       recipients=[notification.user.email], body=body)


def deliver(message: MailMessage, notification_id: int) -> None:
    """Through SMTP when MAIL_SERVER is set; else into instance/outbox/ as an .eml file."""
    if current_app.config["MAIL_SERVER"]:
        mail.send(message)
        return
    outbox = Path(current_app.instance_path) / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    (outbox / f"notification-{notification_id}.eml").write_bytes(message.as_bytes())


def server_unreachable(error: Exception) -> bool:
    """The mail server could not be reached or dropped the line: no fault of the message (a refused
    address, a bad header, a 5xx answer to this message are)."""
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)
