"""The token a participant's browser gives the Jitsi server (Prosody's token authentication, HS256 with
the shared secret): it opens one room, that request's, for a short time, and says who the participant
is and whether he moderates (mutes, removes participants, ends the meeting for all)."""
import datetime

import jwt
from flask import current_app

from app.models import ConsultationRequest, TmkUser, utcnow
from app.video.rooms import room_name

AUDIENCE = "jitsi"
ALGORITHM = "HS256"
# a consultation rarely lasts longer; the server checks the token when one enters, not while one stays
LIFETIME = datetime.timedelta(hours=1)
# Prosody allows no clock skew: a video server whose clock is a little behind must still take a new token
SKEW = datetime.timedelta(seconds=60)


def make_token(user: TmkUser, request: ConsultationRequest, moderator: bool, avatar_url: str = "") -> str:
    now = utcnow().replace(tzinfo=datetime.timezone.utc)
    config = current_app.config
    claims = {
        "iss": config["JITSI_APP_ID"],
        "aud": AUDIENCE,
        "sub": config["JITSI_TOKEN_SUBJECT"] or config["JITSI_DOMAIN"].split(":")[0].lower(),
        "room": room_name(request),
        "iat": now,
        "nbf": now - SKEW,
        "exp": now + LIFETIME,
        "context": {
            "user": {
                "id": str(user.id),
                "name": user.short_name,
                "email": user.email or "",
                "avatar": avatar_url,
                "moderator": moderator,
            },
        },
    }
    return jwt.encode(claims, config["JITSI_APP_SECRET"], algorithm=ALGORITHM)
