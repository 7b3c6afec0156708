"""The room of a request on the configured Jitsi server. The room's name is the request's ``video_room``:
128 random bits made with the request, so it is stable for the request and cannot be guessed; the
server lets in only a token made for that room (tokens.py), and only who may see the request gets one."""
from flask import current_app

from app.models import ConsultationRequest

# what the administrator sets for video; the block names them when one is missing
SETTINGS = ("JITSI_DOMAIN", "JITSI_APP_ID", "JITSI_APP_SECRET")


def missing_settings() -> list[str]:
    return [name for name in SETTINGS if not current_app.config.get(name)]


def is_configured() -> bool:
    """A Jitsi server with token authentication is set up (the embedded default has none: an outside
    server would break the offline rule)."""
    return not missing_settings()


def room_name(request: ConsultationRequest) -> str:
    return request.video_room.lower()  # Jitsi lowercases room names; the token's room must match
