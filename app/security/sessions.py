"""Sessions, tokens and sockets that can be taken back.

Every account has a session epoch (ab_user.session_epoch). A browser session stores the epoch it was
opened in, a JWT (access and refresh) carries it as the claim "epoch", a socket is opened with the
session's; anything carrying an older epoch is refused. The epoch is raised in ONE place, bump_epoch(),
and the ORM raises it by itself when a password is changed, an account deactivated or its roles changed
(whoever does it: the profile, «Учётные записи», the user API, a command), so no view has to remember it.

A browser session signed in with the password has its own id and a row, AccountSession: its cookie is
accepted only while the row exists and is not ended, so a replayed cookie is refused once its session
ended. «Выход» ends the current session, «Завершить» in the profile's «Доступ» one of the others, and
raising the epoch ends them all (but the one of the person who changed his own password);
«Выйти на всех устройствах» raises the epoch. A JWT of the API has no row: the epoch alone rules it.
After the commit the sockets of what was taken back are disconnected in every process (app/realtime,
by the signal sessions_revoked: security does not import the socket layer).
"""
import datetime
import secrets

from blinker import Namespace
from flask import current_app, flash, has_app_context, has_request_context, redirect, request, session
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user, user_logged_in, user_logged_out
from sqlalchemy import delete, event, inspect, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models.users import AccountSession, TmkUser

EPOCH_KEY = "tmk_epoch"
SESSION_ID_KEY = "tmk_sid"
_PENDING = "tmk_revoked"  # in a database session's info: what its commit takes back
# a session's last_seen_at is written at most this often (one write per session, not one per request)
SEEN_EVERY = datetime.timedelta(minutes=5)
USER_AGENT_LENGTH = AccountSession.user_agent.type.length

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
            pending = _pending(db_session)
            pending["users"][obj.id] = obj.session_epoch
            _end_sessions_of(db_session, obj.id, kept=_kept_session(obj.id, pending))


def _pending(db_session) -> dict:
    return db_session.info.setdefault(_PENDING, {"users": {}, "sessions": set()})


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _kept_session(user_id: int, pending: dict) -> str | None:
    """The browser session that outlives its account's new epoch: the one of the person who changed his
    own password or roles (_after_commit gives it the new epoch), unless it is being ended itself."""
    if not has_request_context() or _session_user_id() != user_id:
        return None
    session_id = session.get(SESSION_ID_KEY)
    return session_id if session_id not in pending["sessions"] else None


def _end_sessions_of(db_session, user_id: int, kept: str | None) -> None:
    """The epoch is raised: the account's browser sessions end with it (its sockets are cut by user)."""
    now = _now()
    for account_session in db_session.scalars(select(AccountSession).where(
            AccountSession.user_id == user_id, AccountSession.ended_at.is_(None), AccountSession.id != (kept or ""))):
        account_session.ended_at = now


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


def _cookie_lifetime(app) -> datetime.timedelta:
    """How long after its session was last seen a cookie may still be accepted: Flask refuses one
    signed longer than the session lifetime ago, and last_seen_at lags by up to SEEN_EVERY."""
    return app.permanent_session_lifetime + SEEN_EVERY


@user_logged_in.connect
def _stamp_session(app, user, **_) -> None:
    """A new browser session: its own id, its row and the account's epoch."""
    now = _now()
    # a session not seen for longer than a cookie lives can never be used again: its row goes
    db.session.execute(delete(AccountSession).where(AccountSession.last_seen_at < now - _cookie_lifetime(app)))
    session_id = secrets.token_urlsafe(24)
    db.session.add(AccountSession(id=session_id, user_id=user.id, started_at=now, last_seen_at=now,
                                  user_agent=request.user_agent.string[:USER_AGENT_LENGTH]))
    db.session.commit()
    session[SESSION_ID_KEY] = session_id
    session[EPOCH_KEY] = user.session_epoch


def end_session(account_session: AccountSession) -> None:
    """This browser session ends when the database session commits: its cookie is refused from then on,
    wherever it is replayed, and its sockets are cut."""
    account_session.ended_at = _now()
    _pending(db.session)["sessions"].add(account_session.id)


@user_logged_out.connect
def _end_this_session(_app, **_) -> None:
    """«Выход»: this session ends."""
    session_id = session.pop(SESSION_ID_KEY, None)
    session.pop(EPOCH_KEY, None)
    account_session = db.session.get(AccountSession, session_id) if session_id else None
    if account_session is not None and account_session.ended_at is None:
        end_session(account_session)
        db.session.commit()


def current_session_id() -> str | None:
    return session.get(SESSION_ID_KEY)


def open_sessions(user_id: int) -> list[AccountSession]:
    """The account's browser sessions not ended and whose cookie may still be accepted, last seen first
    (the profile's «Доступ»). Those of an older epoch were ended when it was raised."""
    return list(db.session.scalars(select(AccountSession).where(
        AccountSession.user_id == user_id, AccountSession.ended_at.is_(None),
        AccountSession.last_seen_at >= _now() - _cookie_lifetime(current_app))
        .order_by(AccountSession.last_seen_at.desc(), AccountSession.started_at.desc())))


def open_session_of(user_id: int, session_id: str) -> AccountSession | None:
    """One of the account's open browser sessions; None for another account's or an ended one."""
    return db.session.scalar(select(AccountSession).where(
        AccountSession.id == session_id, AccountSession.user_id == user_id, AccountSession.ended_at.is_(None)))


def _forget_session() -> None:
    """A refused session loses its identity too: re-signed later (e.g. with a new CSRF token), it
    could otherwise outlive its end."""
    for key in ("_user_id", "_fresh", "_id", EPOCH_KEY, SESSION_ID_KEY):
        session.pop(key, None)


def _seen(account_session: AccountSession) -> None:
    """last_seen_at, at most every SEEN_EVERY: on a connection of its own, so that the request's
    transaction (which may not be committed) is not."""
    now = _now()
    if account_session.last_seen_at > now - SEEN_EVERY:
        return
    with db.engine.begin() as connection:
        connection.execute(update(AccountSession.__table__).where(
            AccountSession.__table__.c.id == account_session.id).values(last_seen_at=now))


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
    account_session = db.session.get(AccountSession, session[SESSION_ID_KEY])
    if account_session is None or account_session.ended_at is not None or account_session.user_id != user.id:
        _forget_session()
        return False
    _seen(account_session)
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
