"""``apply``: the one owner of a request's transaction. A transition (transitions.py) is run as guard →
its parameters through the schema → its change → ``move_status`` → the history event → the chat's
system message and the notifications → commit; what follows the commit (broadcasts, jobs, e-mail)
was registered on the way (app/core) and runs after it. Views, the API, sockets and jobs never commit
a request's change themselves."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import inspect, update

from app.core.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models import ConsultationRequest, RequestEvent, utcnow
from app.workflow import chat, notifications
from app.workflow.changes import Change
from app.workflow.transitions import TRANSITIONS, Transition

# in the session's info while apply() owns the transaction (a test proves that nothing else commits a
# request's change)
APPLYING = "tmk_applying"
MAX_COMMENT = 4000


class TransitionParams(Schema):
    """What a person may give a transition: a comment (a reason) and a chosen doctor."""

    comment = fields.String(load_default="", validate=validate.Length(
        max=MAX_COMMENT, error=_l("At most %(max)s characters", max=MAX_COMMENT)))
    consultant_id = fields.Integer(load_default=None, allow_none=True,
                                   error_messages={"invalid": _l("An integer is expected")})


_PARAMS = TransitionParams()


def transition_of(name: str, by_hand: bool = False) -> Transition:
    transition = TRANSITIONS.get(name)
    if transition is None or (by_hand and not transition.by_hand):
        raise NotAllowed(_l("Unknown action"))
    return transition


def check(actor, request, name: str, by_hand: bool = False) -> Transition:
    """The guard alone: raises NotAllowed with the transition's Russian message."""
    transition = transition_of(name, by_hand)
    if transition.may is not None and not transition.may(actor, request):
        raise NotAllowed(transition.refused)
    return transition


def _load(transition: Transition, params: dict | None) -> dict:
    try:
        loaded = _PARAMS.load({k: v for k, v in (params or {}).items() if v is not None})
    except ValidationError as error:
        raise InvalidInput(str(next(iter(error.messages.values()))[0]), fields={
            name: str(messages[0]) for name, messages in error.messages.items()}) from error
    comment = loaded["comment"].replace("\x00", "").strip()
    if transition.dialog is not None and transition.dialog.comment_label is None:
        comment = ""  # a button without a comment field takes none
    if transition.comment_required and not comment:
        raise InvalidInput(transition.comment_required)
    return {**loaded, "comment": comment}


def record_event(actor, request, action: str, from_status: str | None, comment: str = "",
                 recipients=None) -> RequestEvent:
    """The history row, the chat's system message and the notifications, in the current transaction.
    ``recipients``: the user ids told of it (None: every chat member but the actor)."""
    event = RequestEvent(request=request, actor_id=actor.id if actor else None, action=action, from_status=from_status,
                         to_status=request.status, comment=comment)
    db.session.add(event)
    db.session.flush()
    dialog = chat.follow_request(db.session, request, event)
    group = TRANSITIONS[action].mail_group
    if dialog is not None and group is not None:
        notifications.notify(db.session, dialog, event, group, only=recipients)
    return event


def move_status(actor, request, action: str, to_status: str, comment: str = "", recipients=None,
                **values) -> RequestEvent:
    """Change the status only if nobody changed it meanwhile (one conditional UPDATE), then record it."""
    from_status = request.status
    moved = db.session.execute(
        update(ConsultationRequest)
        .where(ConsultationRequest.id == request.id, ConsultationRequest.status == from_status)
        .values(status=to_status, **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        db.session.refresh(request)
        if action == "take" and request.consultant is not None:
            raise NotAllowed(_l("The request has already been taken into work: %(name)s",
                                name=request.consultant.short_name))
        raise NotAllowed(_l("The request has just been changed by someone else; reload the page"))
    db.session.refresh(request)
    return record_event(actor, request, action, from_status, comment, recipients)


def _step(actor, request, name: str, params: dict | None, by_hand: bool, recipients=None) -> None:
    transition = check(actor, request, name, by_hand)
    loaded = _load(transition, params)
    now = utcnow()
    change = transition.change(actor, request, loaded, now) if transition.change else Change()
    comment = loaded["comment"] if change.comment is None else change.comment
    to_status = change.to_status or transition.to_status
    if not inspect(request).persistent:  # made in this transaction: its first status, no one to race
        request.status = to_status
        for column, value in change.values.items():
            setattr(request, column, value)
        db.session.add(request)
        db.session.flush()
        record_event(actor, request, name, None, comment, recipients)
    elif not transition.records_event:
        db.session.flush()
    elif to_status is None:
        for column, value in change.values.items():  # the status stays: nobody races for it
            setattr(request, column, value)
        record_event(actor, request, name, request.status, comment, recipients)
    else:
        move_status(actor, request, name, to_status, comment, recipients, **change.values)
    for follower, follower_comment in change.then:
        record_event(actor, request, follower, request.status, follower_comment)


def apply_all(actor, request: ConsultationRequest, steps: list[tuple[str, dict | None]],
              by_hand: bool = False, recipients=None) -> ConsultationRequest:
    """Several transitions in one transaction (a request made and submitted at once); all or none.
    ``recipients``: the user ids told of these events (None: every chat member but the actor)."""
    session = db.session()
    session.info[APPLYING] = True
    try:
        for name, params in steps:
            _step(actor, request, name, params, by_hand, recipients)
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.info.pop(APPLYING, None)
    return request


def apply(actor, request: ConsultationRequest, name: str, params: dict | None = None,
          by_hand: bool = False, recipients=None) -> ConsultationRequest:
    """Run one transition and commit. ``by_hand``: a person asked for it (a button, the API), so only
    the transitions that have a button are possible."""
    return apply_all(actor, request, [(name, params)], by_hand, recipients)
