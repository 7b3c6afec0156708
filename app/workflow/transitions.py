"""Every transition of a request, as data (DESIGN.md §5). The buttons and their dialogs, the labels of
the history, the chat's system messages, the API's ``POST /api/v1/requests/<id>/<name>`` and its
OpenAPI enum, who is told and by which e-mail group all read this table; ``workflow.apply`` runs a row.

Adding a transition is adding a row here (and, if it does more than move the status, its function in
changes.py); README «Development» shows an example."""
import dataclasses
from typing import Callable

from flask_babel import lazy_gettext as _l

from app.models import OPEN_STATUSES
from app.workflow import changes, rules


@dataclasses.dataclass(frozen=True)
class Dialog:
    """The button a user presses and what its dialog asks for."""

    button: object  # the label (lazy Russian)
    style: str = "btn-default"
    icon: str = ""
    comment_label: object = None  # None: no comment field
    chooses_consultant: bool = False


@dataclasses.dataclass(frozen=True)
class Transition:
    name: str
    history_label: object  # the history's line (None: records no event)
    system_text: object = None  # the chat's system message (%(name)s who acted, %(comment)s); None: none
    mail_group: str | None = None  # whom it is told to (every chat member but the actor), by this e-mail
    #                                 group (models.users.EMAIL_EVENT_GROUPS); None: nobody is told
    from_statuses: tuple[str | None, ...] = ()  # for the reader of the table; the guard is what decides
    to_status: str | None = None  # None: the status stays (an event of the portal's own)
    may: Callable | None = None  # the guard (app/workflow/rules.py); None: the portal's own, never by hand
    refused: object = None  # what the actor is told when the guard says no
    dialog: Dialog | None = None  # None: no button; nobody asks for it through the page or the API
    comment_required: object = None  # the message when the comment is missing; None: optional
    change: Callable | None = None  # changes.<name>(actor, request, params, now) -> Change
    records_event: bool = True  # False: only the content changed (a draft edited)
    calls_coordinators: bool = False  # a request still in the pool brings its coordinators into the chat

    @property
    def by_hand(self) -> bool:
        return self.dialog is not None


_OPEN = tuple(OPEN_STATUSES)
_ROWS = [
    # ---- made by the author ----
    Transition("create", _l("Request created"), from_statuses=(None,), to_status="draft", may=rules.may_create,
               refused=_l("Only a requesting doctor may create requests")),
    Transition("edit", None, from_statuses=("draft",), to_status="draft", may=rules.may_edit_draft,
               refused=_l("Only the author may edit a draft"), records_event=False),
    Transition("submit", _l("Request submitted"), _l("The request has been submitted"), "incoming",
               ("draft",), "new", rules.may_submit, _l("Only the author may submit a draft"),
               Dialog(_l("Submit"), "btn-primary", "fa-paper-plane"), change=changes.submit),
    # ---- approval in the requesting МО ----
    Transition("approve", _l("Approved"), _l("The request has been approved: %(name)s"), "incoming",
               ("on_approval",), "new", rules.may_approve, _l("This request is not waiting for your approval"),
               Dialog(_l("Approve"), "btn-success", "fa-check", _l("Comment")), change=changes.approve),
    Transition("reject", _l("Rejected"), _l("The request has been rejected: %(comment)s"), "declined",
               ("on_approval",), "cancelled", rules.may_reject, _l("This request is not waiting for your approval"),
               Dialog(_l("Reject"), "btn-danger", "fa-times", _l("Reason for the rejection")),
               _l("Give the reason for the rejection"), changes.finish),
    # ---- the consulting МО ----
    Transition("take", _l("Taken into work"), _l("The request has been taken into work: %(name)s"), "taken",
               ("new",), "in_work", rules.may_take, _l("You cannot take this request into work"),
               Dialog(_l("Take into work"), "btn-primary", "fa-hand-paper-o"), change=changes.take),
    Transition("assign", _l("Consultant assigned"), _l("A consultant has been assigned: %(comment)s"), "incoming",
               ("new",), "in_work", rules.may_assign, _l("You cannot assign this request"),
               Dialog(_l("Assign a consultant"), "btn-primary", "fa-user-md", chooses_consultant=True),
               change=changes.assign),
    Transition("transfer", _l("Transferred to another doctor"), _l("The request has been transferred to %(comment)s"),
               "incoming", ("in_work",), "new", rules.may_transfer,
               _l("Only the consultant of a request in work may transfer it"),
               Dialog(_l("Transfer to another doctor"), "btn-default", "fa-share", _l("Reason for the transfer"),
                      chooses_consultant=True),
               _l("Give the reason for the transfer"), changes.transfer),
    Transition("request_info", _l("Additional information requested"),
               _l("Additional information requested: %(comment)s"), "information", ("in_work",), "awaiting_info",
               rules.may_request_info, _l("Only the consultant of a request in work may ask for information"),
               Dialog(_l("Request additional information"), "btn-default", "fa-question-circle", _l("Comment")),
               _l("Write which information you need"), changes.request_info),
    Transition("provide_info", _l("Information provided"), _l("Information provided: %(comment)s"), "information",
               ("awaiting_info",), "in_work", rules.may_provide_info,
               _l("Only the author may answer a request for information"),
               Dialog(_l("Provide information"), "btn-primary", "fa-reply", _l("Information for the consultant")),
               _l("Write the information the consultant asked for"), changes.provide_info),
    Transition("refuse", _l("Refused"), _l("Consultation refused: %(comment)s"), "declined",
               ("new", "in_work"), "refused", rules.may_refuse, _l("You cannot refuse this request"),
               Dialog(_l("Refuse"), "btn-danger", "fa-ban", _l("Reason for the refusal")),
               _l("Give the reason for the refusal"), changes.finish),
    Transition("cancel", _l("Cancelled"), _l("The request has been cancelled. %(comment)s"), "declined",
               tuple(s for s in _OPEN if s != "signing"), "cancelled", rules.may_cancel,
               _l("Only the author may cancel an open request"),
               Dialog(_l("Cancel the request"), "btn-default", "fa-trash", _l("Reason for the cancellation")),
               change=changes.finish),
    # ---- the conclusion (its own pages, app/views/conclusions.py, after their own checks) ----
    Transition("conclude", _l("Conclusion prepared"),
               _l("The conclusion has been prepared and awaits signing: %(name)s"),
               from_statuses=("in_work", "signing"), to_status="signing"),
    Transition("complete", _l("Completed"), _l("Work on the request has been completed successfully"), "completed",
               ("in_work", "signing"), "completed", change=changes.finish),
    # ---- the portal's own events: the status stays ----
    Transition("deadline_paused", _l("Deadline paused"), _l("The deadline was paused for %(comment)s min")),
    Transition("deadline_warning", _l("The deadline is near"), _l("The deadline is near: %(comment)s min left"),
               "deadlines", ("new", "in_work"), calls_coordinators=True),
    Transition("overdue", _l("Overdue"), _l("The deadline for the answer has passed"), "deadlines",
               ("new", "in_work"), calls_coordinators=True),
    # ---- the video consultation (app/video/sessions.py): its pages report, the server records ----
    Transition("video_started", _l("Video consultation started"), _l("Video consultation started: %(name)s"),
               change=changes.video_started),
    Transition("video_joined", _l("Joined the video consultation")),
    Transition("video_left", _l("Left the video consultation")),
    Transition("video_ended", _l("Video consultation ended"), _l("Video consultation ended, %(comment)s min")),
    Transition("video_recording_started", _l("Recording of the video consultation started"),
               _l("Recording of the video consultation started: %(name)s")),
    Transition("video_recording_stopped", _l("Recording of the video consultation stopped"),
               _l("Recording of the video consultation stopped: %(name)s")),
    # video calls (app/video/calls.py): the ring itself is the callees' notice; the comment names them
    Transition("video_call", _l("Video call"), from_statuses=_OPEN, may=rules.may_call,
               refused=_l("Only the participants of an open request's chat may call about it")),
    # told to the callees who did not answer (app/video/calls.py gives them), the comment names them
    Transition("video_call_missed", _l("Missed video call"),
               _l("Missed video call from %(name)s; not answered by: %(comment)s"), "calls", _OPEN),
]
TRANSITIONS: dict[str, Transition] = {row.name: row for row in _ROWS}
# the buttons, in the order the page shows them; the API's actions
BY_HAND = [row.name for row in _ROWS if row.by_hand]
HISTORY_LABELS = {row.name: row.history_label for row in _ROWS if row.records_event}

assert all(row.may is not None for row in _ROWS if row.by_hand), "a button without a guard"


def allowed_actions(actor, request) -> list[str]:
    """The buttons this actor has on this request now."""
    return [name for name in BY_HAND if TRANSITIONS[name].may(actor, request)]
