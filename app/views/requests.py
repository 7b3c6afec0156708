"""The request tabs, the request page and its actions: HTTP in, calls of app/workflow and
app/security/requests out."""
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.documents.serving import send_document
from app.extensions import db
from app.models import (
    EXTERNAL_SOURCE_LABELS,
    GOAL_LABELS,
    MODE_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
    URGENCY_LABELS,
    CareProfile,
    RequestAttachment,
    utcnow,
)
from app.schemas.formatting import datetime_formatter
from app.schemas.identifiers import is_id
from app.security.audit import audit
from app.security.chat import chat_seat
from app.security.documents import readable_attachment
from app.security.list_args import BadListArgument, list_filters, number_arg
from app.security.requests import TABS, list_requests, visible_request_or_404
from app.video.entry import refusal
from app.workflow import deadlines
from app.core.errors import WorkflowError
from app.workflow import apply
from app.workflow.changes import consultant_choices
from app.workflow.rules import may_create
from app.workflow.transitions import HISTORY_LABELS, TRANSITIONS, allowed_actions

TAB_TITLES = {
    "all": _l("Requests"),
    "available": _l("Available"),
    "in_work": _l("In work"),
    "outgoing": _l("Outgoing"),
    "drafts": _l("Drafts"),
}
PAGE_SIZES = (20, 50, 100)


def format_time_left(left, overdue_by: str | None = None) -> str:
    """overdue_by: «overdue by %(time)s» already translated, from a caller that formats many (a list)."""
    if left is None:
        return ""
    minutes = int(abs(left.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = ([f"{days} д"] if days else []) + ([f"{hours} ч"] if hours or days else []) + [f"{minutes} мин"]
    text = " ".join(parts)
    if left.total_seconds() >= 0:
        return text
    return overdue_by % {"time": text} if overdue_by else _("overdue by %(time)s", time=text)


class ListRow(NamedTuple):
    """One row of a request list as the template shows it: plain strings, made in Python."""

    id: int
    urgency_class: str
    selected: bool
    number: str
    patient: str
    care_profile: str
    organization: str
    urgency: str
    status_code: str
    status: str
    created: str
    time_left: str
    overdue: bool


def list_rows(rows, now, selected_id) -> list[ListRow]:
    """The rows of a page, formatted once here: the labels translated once per page, not per row, and no
    per-row attribute look-ups, filters and calls in Jinja (at 100 rows those cost milliseconds)."""
    statuses = {code: str(label) for code, label in STATUS_LABELS.items()}
    urgencies = {code: str(label) for code, label in URGENCY_LABELS.items()}
    overdue_by = _("overdue by %(time)s")  # translated once; format_time_left fills it in
    created = datetime_formatter()
    result = []
    for r in rows:
        left = deadlines.time_left(r, now)
        result.append(ListRow(
            id=r.id, urgency_class=r.urgency or "none", selected=selected_id == r.id, number=r.number,
            patient=r.patient.short_name if r.patient else "", care_profile=r.care_profile.name,
            organization=r.consulting_organization.short_name, urgency=urgencies.get(r.urgency, ""),
            status_code=r.status, status=statuses.get(r.status, ""), created=created(r.created_at),
            time_left=format_time_left(left, overdue_by), overdue=left is not None and left.total_seconds() < 0,
        ))
    return result


def doctor_portal_url(patient) -> str:
    template = current_app.config["TMK_DOCTOR_PORTAL_URL"]
    if not template or patient is None:
        return ""
    return template.format(snils=quote(patient.snils or ""), policy=quote(patient.oms_policy or ""))


class RequestsView(BaseView):
    route_base = "/requests"
    default_view = "tab"
    class_permission_name = "Requests"
    base_permissions = ["can_read", "can_act"]

    def _visible_or_404(self, request_id):
        return visible_request_or_404(db.session, g.user, request_id)

    def _context(self, consultation, full_patient=False):
        actions = allowed_actions(g.user, consultation)
        audit(g.user, "read_patient_full" if full_patient else "read_request", "consultation_request",
              consultation.id)
        choices = {}
        if "assign" in actions:
            choices["assign"] = consultant_choices(consultation)
        if "transfer" in actions:
            choices["transfer"] = consultant_choices(consultation, exclude=g.user)
        left = deadlines.time_left(consultation, utcnow())
        return dict(
            r=consultation, actions=actions, transitions=TRANSITIONS, choices=choices, full_patient=full_patient,
            time_left=format_time_left(left), overdue=left is not None and left.total_seconds() < 0,
            portal_url=doctor_portal_url(consultation.patient), video_refused=refusal(g.user, consultation),
            attachments=db.session.query(RequestAttachment).filter_by(request_id=consultation.id).all(),
            labels=dict(status=STATUS_LABELS, urgency=URGENCY_LABELS, mode=MODE_LABELS, goal=GOAL_LABELS,
                        sex=SEX_LABELS, source=EXTERNAL_SOURCE_LABELS, action=HISTORY_LABELS),
        )

    @expose("/<tab>/")
    @has_access
    @permission_name("read")
    def tab(self, tab="all"):
        if tab not in TABS:
            abort(404)
        try:
            filters = list_filters(request.args)
            page_size = number_arg(request.args, "psize", PAGE_SIZES[0])
            page = number_arg(request.args, "page", 0)
            selected_id = number_arg(request.args, "selected")
        except BadListArgument:
            abort(400)
        if page_size not in PAGE_SIZES:
            abort(400)
        rows, total = list_requests(db.session, g.user, tab, filters, page, page_size)
        selected = self._visible_or_404(selected_id) if selected_id else None
        return self.render_template(
            "requests/list.html", tab=tab, title=TAB_TITLES[tab], tab_titles=TAB_TITLES,
            rows=list_rows(rows, utcnow(), selected_id), total=total,
            page=page, page_size=page_size, page_sizes=PAGE_SIZES, filters=filters,
            profiles=db.session.query(CareProfile).order_by(CareProfile.name).all(),
            # plain strings: a lazy label would be translated again at every use
            # a draft is only ever a draft: its tab offers no status it cannot have
            status_labels={k: str(v) for k, v in STATUS_LABELS.items() if tab != "drafts" or k == "draft"},
            urgency_labels={k: str(v) for k, v in URGENCY_LABELS.items()}, can_create=may_create(g.user),
            # the row links: this page's address ending in "selected=", built once rather than per row
            row_base=url_for("RequestsView.tab", tab=tab, **{k: v for k, v in request.args.items() if k != "selected"},
                             selected=""),
            panel_html=Markup(render_template("requests/_panel.html", **self._context(selected))) if selected else "",
        )

    @expose("/<int:request_id>")
    @has_access
    @permission_name("read")
    def show(self, request_id):
        consultation = self._visible_or_404(request_id)
        full = request.args.get("patient") == "full"
        return self.render_template("requests/page.html", title=consultation.number,
                                    chat_seat=chat_seat(db.session, g.user, consultation.id),
                                    **self._context(consultation, full_patient=full))

    @expose("/<int:request_id>/panel")
    @has_access
    @permission_name("read")
    def panel(self, request_id):
        """The request beside the list (fetched when a row is selected)."""
        consultation = self._visible_or_404(request_id)
        return self.render_template("requests/_panel.html", **self._context(consultation))

    @expose("/<int:request_id>/action/<action>", methods=["POST"])
    @has_access
    @permission_name("act")
    def act(self, request_id, action):
        consultation = self._visible_or_404(request_id)
        consultant_id = request.form.get("consultant_id", "")
        try:
            apply(g.user, consultation, action, {"comment": request.form.get("comment", "")[:4000],
                                                 "consultant_id": int(consultant_id) if is_id(consultant_id) else None},
                  by_hand=True)
        except WorkflowError as error:
            flash(error.message, "danger")
            done = False
        else:
            flash(f"{consultation.number}: {HISTORY_LABELS[action]}", "success")
            done = True
        own_page = url_for("RequestsView.show", request_id=request_id)
        back = request.form.get("next", "")
        if not (back.startswith("/requests/") and "//" not in back):
            back = own_page
        # A done action (take, assign, refuse…) mostly moves the request out of the tab it was chosen in: the
        # user goes on with it on its page (the actor's event keeps it visible to him), or stays on that page
        # with its arguments. A refused one leaves everything where it was: back to where the user was.
        if done and urlsplit(back).path != own_page:
            back = own_page
        return redirect(back)

    @expose("/<int:request_id>/files/<int:attachment_id>")
    @has_access
    @permission_name("read")
    def attachment(self, request_id, attachment_id):
        consultation = self._visible_or_404(request_id)
        attached = readable_attachment(db.session, g.user, consultation, attachment_id)
        if attached is None:
            abort(404)
        audit(g.user, "download", "document", attached.document_id)
        return send_document(attached.document, inline=True)
