"""The room of a request on the configured Jitsi server. The room's name is the request's ``video_room``:
128 random bits made with the request, so it is stable for the request and cannot be guessed; the
server lets in only a token made for that room (tokens.py), and only who may see the request gets one."""
from flask import current_app
from flask_babel import gettext as _

from app.models import ConsultationRequest, TmkUser
from app.security.roles import COORDINATOR

# what the administrator sets for video; the block names them when one is missing
SETTINGS = ("JITSI_DOMAIN", "JITSI_APP_ID", "JITSI_APP_SECRET")


def missing_settings() -> list[str]:
    return [name for name in SETTINGS if not current_app.config.get(name)]


def is_configured() -> bool:
    """A Jitsi server with token authentication is set up (the embedded default has none: an outside
    server would break the offline rule)."""
    return not missing_settings()


def not_configured_message() -> str:
    """Empty when video is set up; else what the administrator sets, in Russian."""
    missing = missing_settings()
    if not missing:
        return ""
    return _("The video server is not set up. The portal's administrator sets %(settings)s "
             "(see the README, «Video consultations»).", settings=", ".join(missing))


def room_name(request: ConsultationRequest) -> str:
    return request.video_room.lower()  # Jitsi lowercases room names; the token's room must match


def is_moderator(user: TmkUser, request: ConsultationRequest) -> bool:
    """Who leads the meeting (mutes, removes participants, ends it for all): the consultant who holds the
    request, and a coordinator of the consulting МО who joins."""
    if request.consultant_id is not None and request.consultant_id == user.id:
        return True
    return user.has_role(COORDINATOR) and user.organization_id == request.consulting_organization_id
