"""What a participant's browser needs to enter a request's room: the server, the room, his token and
whether he moderates. The same for the room page and for a МИС (GET /api/v1/requests/<id>/video)."""
import dataclasses

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.models import ConsultationRequest, TmkUser
from app.core.errors import NotAllowed
from app.video.rooms import is_moderator, not_configured_message, room_name
from app.video.sessions import check_may_enter
from app.video.tokens import LIFETIME, make_token

_AVATAR_SALT = "tmk-video-avatar"


@dataclasses.dataclass(frozen=True)
class RoomEntry:
    domain: str
    room: str
    jwt: str
    moderator: bool

    def as_json(self) -> dict:
        return dataclasses.asdict(self)


def _avatar_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_AVATAR_SALT)


def avatar_url(user: TmkUser) -> str:
    """The user's photo for the video server's page: a signed address that works without the portal's
    cookie (the room is another site) and only as long as the token, so it is no lasting public link."""
    if not user.photo_sha256:
        return ""  # Jitsi shows the initials of the name
    signed = _avatar_serializer().dumps(user.photo_sha256)
    return url_for("VideoView.avatar", signed=signed, _external=True)


def photo_of_signed(signed: str) -> str | None:
    """The photo's sha256 the signed address names, if the signature is ours and not expired."""
    try:
        return _avatar_serializer().loads(signed, max_age=int(LIFETIME.total_seconds()))
    except BadSignature:
        return None


def refusal(user: TmkUser, request: ConsultationRequest) -> str:
    """Why the user cannot enter the request's room now, in Russian; empty when he can."""
    try:
        check_may_enter(user, request)
    except NotAllowed as error:
        return not_configured_message() or error.message
    return not_configured_message()


def enter(user: TmkUser, request: ConsultationRequest) -> RoomEntry:
    """Raises NotAllowed when the room is not open to him now (a draft, a closed request, a pool reader)."""
    check_may_enter(user, request)
    moderator = is_moderator(user, request)
    return RoomEntry(domain=current_app.config["JITSI_DOMAIN"], room=room_name(request),
                     jwt=make_token(user, request, moderator, avatar_url(user)), moderator=moderator)
