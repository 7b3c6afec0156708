"""Sessions, tokens and sockets that can be taken back.

Every account has a session epoch (ab_user.session_epoch). A browser session stores the epoch it was
opened in, a JWT (access and refresh) carries it as the claim "epoch", a socket is opened with the
session's; anything carrying an older epoch is refused. The epoch is raised in ONE place, bump_epoch(),
and the ORM raises it by itself when a password is changed, an account deactivated or its roles changed
(whoever does it: the profile, «Учётные записи», the user API, a command), so no view has to remember it.

«Выход» ends only the current browser session: the session has its own id, which logout records as
revoked (a replayed cookie is refused); «Выйти на всех устройствах» raises the epoch. After the commit
the sockets of what was taken back are disconnected in every process (app/realtime, by the signal
sessions_revoked: security does not import the socket layer).
"""
import datetime
import secrets

from blinker import Namespace
from flask import current_app, flash, has_app_context, has_request_context, redirect, request, session
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user, user_logged_in, user_logged_out
from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models.users import RevokedSession, TmkUser

EPOCH_KEY = "tmk_epoch"
SESSION_ID_KEY = "tmk_sid"
SIGNED_IN_KEY = "tmk_signed_in"
_PENDING = "tmk_revoked"  # in a database session's info: what its commit takes back

# sent after the commit: user_ids whose every socket, session_ids whose sockets must be disconnected
sessions_revoked = Namespace().signal("sessions-revoked")


def bump_epoch(user: TmkUser) -> None:
    """Take back every session, token and socket of this account (once its transaction commits)."""
    user.session_epoch = (user.session_epoch or 0) + 1


def _takes_sessions_back(user: TmkUser) -> bool:
    attrs = inspect(user).attrs
    return (attrs.password.history.has_changes()
            or (attrs.active.history.has_changes() and not user.active)
            or attrs.roles.history.has_changes())


@event.listens_for(Session, "before_flush")
def _bump_on_sensitive_change(db_session, _flush_context, _instances) -> None:
    """A password change, a deactivation or a change of roles takes the account's sessions back."""
    for obj in db_session.dirty:
        if not isinstance(obj, TmkUser) or obj.id is None:
            continue
        epoch_set = inspect(obj).attrs.session_epoch.history.has_changes()
        if not epoch_set and _takes_sessions_back(obj):
            bump_epoch(obj)
            epoch_set = True
        if epoch_set:
            db_session.info.setdefault(_PENDING, {"users": {}, "sessions": set()})["users"][obj.id] = obj.session_epoch


@event.listens_for(Session, "after_commit")
def _after_commit(db_session) -> None:
    pending = db_session.info.pop(_PENDING, None)
    if not pending:
        return
    users = pending["users"]
    if has_request_context() and _session_user_id() in users and pending["sessions"].isdisjoint(
            {session.get(SESSION_ID_KEY)}):
        # the person who changed his own password or roles stays signed in here; his other devices do not
        session[EPOCH_KEY] = users[_session_user_id()]
    sessions_revoked.send(current_app._get_current_object() if has_app_context() else None, user_ids=set(users),
                          session_ids=set(pending["sessions"]))


@event.listens_for(Session, "after_rollback")
def _after_rollback(db_session) -> None:
    db_session.info.pop(_PENDING, None)


def _session_user_id() -> int | None:
    value = session.get("_user_id")
    return int(value) if isinstance(value, str) and value.isdigit() else None


@user_logged_in.connect
def _stamp_session(_app, user, **_) -> None:
    """A new browser session: its own id and the account's epoch."""
    session[SESSION_ID_KEY] = secrets.token_urlsafe(24)
    session[EPOCH_KEY] = user.session_epoch
    session[SIGNED_IN_KEY] = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None).isoformat()


def signed_in_at() -> datetime.datetime | None:
    """When the current browser session was signed in (UTC), for the profile's «Доступ»."""
    value = session.get(SIGNED_IN_KEY)
    try:
        return datetime.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@user_logged_out.connect
def _revoke_session(app, **_) -> None:
    """«Выход»: this session's cookie is refused from now on, wherever it is replayed."""
    session_id = session.pop(SESSION_ID_KEY, None)
    session.pop(EPOCH_KEY, None)
    if not session_id:
        return
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    # a cookie older than the session lifetime is refused by Flask itself: its record is no longer needed
    db.session.execute(delete(RevokedSession).where(RevokedSession.revoked_at < now - app.permanent_session_lifetime))
    db.session.add(RevokedSession(session_id=session_id, revoked_at=now))
    db.session.info.setdefault(_PENDING, {"users": {}, "sessions": set()})["sessions"].add(session_id)
    db.session.commit()


def _forget_session() -> None:
    """A refused session loses its identity too: re-signed later (e.g. with a new CSRF token), it
    could otherwise outlive its revocation record."""
    for key in ("_user_id", "_fresh", "_id", EPOCH_KEY, SESSION_ID_KEY, SIGNED_IN_KEY):
        session.pop(key, None)


def session_is_current(user: TmkUser) -> bool:
    """Is the browser session (cookie or a socket's copy) of this user still valid?"""
    if session.get(EPOCH_KEY) != user.session_epoch or not session.get(SESSION_ID_KEY):
        _forget_session()
        return False
    socket_event = getattr(request, "event", None)
    if socket_event is not None and socket_event.get("message") != "connect":
        # a socket's later events: the session was checked when it connected, and the sockets of a
        # revoked session are disconnected at once (sessions_revoked)
        return True
    revoked = db.session.scalar(select(RevokedSession.session_id).where(
        RevokedSession.session_id == session[SESSION_ID_KEY]))
    if revoked is not None:
        _forget_session()
        return False
    return True


def token_claims(identity) -> dict:
    """The claims added to every JWT made for this identity (flask_jwt_extended's additional claims)."""
    user = db.session.get(TmkUser, int(identity))
    return {"epoch": user.session_epoch} if user is not None else {}


def token_is_current(user: TmkUser, claims: dict) -> bool:
    return claims.get("epoch") == user.session_epoch


class LogoutEverywhereView(BaseView):
    """«Выйти на всех устройствах»: every session, token and socket of the account, this one included."""
    route_base = "/logout-everywhere"
    default_view = "logout_everywhere"

    @expose("/", methods=["POST"])
    def logout_everywhere(self):
        if not current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login)
        user = db.session.get(TmkUser, current_user.id)
        bump_epoch(user)
        db.session.commit()
        logout_user()
        flash(str(_l("You have been signed out on all devices")), "info")
        return redirect(self.appbuilder.get_url_for_login)
