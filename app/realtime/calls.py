"""The calls' events on /notifications, the one socket every page of a signed-in user opens (bell.js):
a call rings on whatever page its callee has open. The server sends ``call_incoming``, ``call_ended`` and
``call_progress`` to the user's room (app/video/calls.py); a client asks ``calls`` on every (re)connect
and answers with ``call_answer``."""
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import WorkflowError
from app.extensions import db
from app.schemas.identifiers import MAX_ID
from app.video import calls


class CallEvents:
    """Mixed into the /notifications namespace (app/realtime/notifications.py)."""

    def on_calls(self, data=None):
        """The calls ringing for this user and his own calls still going, for a page opened meanwhile."""
        if not current_user.is_authenticated:  # taken back while the socket was open
            return {"incoming": [], "outgoing": []}
        return calls.calls_of(current_user)

    def on_call_answer(self, data=None):
        """{call_id, accept: true | false} → {ok, state, room_url} or {ok: false, error}: only a callee of a
        call still ringing answers it."""
        call_id = data.get("call_id") if isinstance(data, dict) else None
        accept = data.get("accept") if isinstance(data, dict) else None
        if not (current_user.is_authenticated and type(call_id) is int and 0 < call_id <= MAX_ID
                and isinstance(accept, bool)):
            return {"ok": False, "error": _("No such call")}
        try:
            answered = calls.answer(current_user, call_id, accept)
        except WorkflowError as error:
            db.session.rollback()
            return {"ok": False, "error": error.message}
        return {"ok": True, **answered}
