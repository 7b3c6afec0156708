"""Video consultations (issue 14): the token is exactly what Prosody's token authentication checks, the room
and the API are only for who may see the request, the room page alone lets the video server in (CSP), and
the room pages' reports become the request's history and chat with the server's times."""
import datetime

import jwt
import pytest

from app.extensions import db
from app.models import ConsultationRequest, Message, RequestEvent, VideoPresence, VideoSession
from app.video import sessions
from app.workflow import apply
from tests.conftest import VIDEO_SERVER as VIDEO
from tests.conftest import login, make_app, visible_text
from tests.requests_helpers import new_request, user



@pytest.fixture()
def video_app(app):
    """The same database, with a video server configured."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], **VIDEO)


def taken_request(video_app, consultant="consultant1", **changes) -> int:
    with video_app.app_context():
        request = new_request(author="requester1", **changes)
        apply(user(consultant), request, "take", by_hand=True)
        return request.id


def entry(video_app, username, request_id):
    client = login(video_app.test_client(), username)
    return client.get(f"/api/v1/requests/{request_id}/video")


def claims_of(token: str) -> dict:
    return jwt.decode(token, VIDEO["JITSI_APP_SECRET"], algorithms=["HS256"], audience="jitsi",
                      issuer=VIDEO["JITSI_APP_ID"], options={"require": ["exp", "nbf", "iat", "iss", "aud", "sub"]})


def test_token_has_what_prosody_checks(video_app):
    request_id = taken_request(video_app)
    answer = entry(video_app, "consultant1", request_id)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.json
    with video_app.app_context():
        room = db.session.get(ConsultationRequest, request_id).video_room
    assert body["domain"] == "meet.test" and body["room"] == room and body["moderator"] is True
    claims = claims_of(body["jwt"])
    assert jwt.get_unverified_header(body["jwt"])["alg"] == "HS256"
    assert claims["iss"] == "tmk-portal" and claims["aud"] == "jitsi" and claims["sub"] == "meet.jitsi"
    # the room's node name, lowercase as Jitsi makes it, unguessable: 128 random bits
    assert claims["room"] == room == room.lower() and len(room) == 32 and int(room, 16) >= 0
    now = datetime.datetime.now(datetime.timezone.utc).timestamp()
    assert claims["nbf"] <= now <= claims["exp"] and claims["exp"] - claims["iat"] <= 2 * 3600
    person = claims["context"]["user"]
    assert person["name"] == "Иванов И. И." and person["email"] == "consultant1@demo.tmk.local"
    assert person["moderator"] is True and "avatar" in person


def test_only_the_holder_and_a_coordinator_moderate(video_app):
    request_id = taken_request(video_app)
    for username, moderator in (("requester1", False), ("moadmin2", False), ("coordinator1", True),
                                ("moadmin1", False), ("regadmin", False)):
        answer = entry(video_app, username, request_id)
        assert answer.status_code == 200, (username, answer.get_data(as_text=True))
        assert answer.json["moderator"] is moderator, username
        assert claims_of(answer.json["jwt"])["context"]["user"]["moderator"] is moderator


def test_a_token_opens_only_its_own_room(video_app):
    first, second = taken_request(video_app), taken_request(video_app)
    rooms = {claims_of(entry(video_app, "requester1", rid).json["jwt"])["room"] for rid in (first, second)}
    assert len(rooms) == 2
    with video_app.app_context():
        assert rooms == {db.session.get(ConsultationRequest, rid).video_room for rid in (first, second)}


def test_a_forged_or_expired_token_is_refused_by_the_secret_and_the_clock(video_app):
    token = entry(video_app, "requester1", taken_request(video_app)).json["jwt"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-another-secret-000", algorithms=["HS256"], audience="jitsi")
    claims = claims_of(token)
    with pytest.raises(jwt.ExpiredSignatureError):
        # the clock of the video server an hour and a second on: a negative leeway moves "now" so far
        jwt.decode(token, VIDEO["JITSI_APP_SECRET"], algorithms=["HS256"], audience="jitsi",
                   leeway=-(claims["exp"] - claims["iat"] + 1), options={"verify_iat": False, "verify_nbf": False})


def test_outsiders_get_404_everywhere(video_app):
    request_id = taken_request(video_app)
    for username in ("requester2", "consultant3", "coordinator2"):
        client = login(video_app.test_client(), username)
        assert client.get(f"/api/v1/requests/{request_id}/video").status_code == 404
        assert client.get(f"/requests/{request_id}/video").status_code == 404
        assert client.post(f"/api/v1/requests/{request_id}/video/events", json={"event": "joined"}).status_code == 404
    assert video_app.test_client().get(f"/api/v1/requests/{request_id}/video").status_code == 401


def test_a_pool_reader_takes_the_request_first(video_app):
    with video_app.app_context():
        request_id = new_request(author="requester1").id
    answer = entry(video_app, "consultant2", request_id)
    assert answer.status_code == 409 and "Возьмите заявку в работу" in answer.json["message"]


def test_without_a_video_server_the_block_says_what_to_set(app):
    request_id = taken_request(app)
    client = login(app.test_client(), "consultant1")
    answer = client.get(f"/api/v1/requests/{request_id}/video")
    assert answer.status_code == 409 and "JITSI_DOMAIN" in answer.json["message"]
    page = client.get(f"/requests/{request_id}/video")
    text = visible_text(page.get_data(as_text=True))
    assert page.status_code == 200 and "Видеосервер не настроен" in text and "JITSI_APP_SECRET" in text
    assert "external_api.js" not in page.get_data(as_text=True)
    assert "https:" not in page.headers["Content-Security-Policy"]


def test_only_the_room_page_lets_the_video_server_in(video_app):
    request_id = taken_request(video_app)
    client = login(video_app.test_client(), "requester1")
    room = client.get(f"/requests/{request_id}/video")
    csp = room.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "https://meet.test" in csp.split("script-src")[1].split(";")[0]
    assert "https://meet.test" in csp.split("frame-src")[1].split(";")[0]
    assert '<script src="https://meet.test/external_api.js"' in room.get_data(as_text=True)
    for other in (f"/requests/{request_id}", "/requests/all/", "/profile/info"):
        assert "meet.test" not in client.get(other).headers["Content-Security-Policy"], other


def report(client, request_id, event):
    return client.post(f"/api/v1/requests/{request_id}/video/events", json={"event": event})


def history(video_app, request_id) -> list[tuple[str, str]]:
    with video_app.app_context():
        return [(e.action, e.actor.username if e.actor else "") for e in db.session.query(RequestEvent)
                .filter(RequestEvent.request_id == request_id, RequestEvent.action.like("video%"))
                .order_by(RequestEvent.id)]


def chat_texts(video_app, request_id) -> list[str]:
    from app.workflow.chat import system_text

    with video_app.app_context():
        found = (db.session.query(Message).join(Message.dialog)
                 .filter(Message.kind == "system", Message.event_id.isnot(None)).order_by(Message.id))
        return [system_text(m.event) for m in found if m.event.request_id == request_id]


def test_a_session_is_written_into_the_history_and_the_chat(video_app):
    request_id = taken_request(video_app)
    consultant = login(video_app.test_client(), "consultant1")
    author = login(video_app.test_client(), "requester1")
    assert report(consultant, request_id, "joined").json == {"in_session": True}
    assert report(consultant, request_id, "joined").status_code == 200  # a second tab: nothing new
    assert report(author, request_id, "joined").status_code == 200
    assert report(author, request_id, "still_there").status_code == 200
    assert report(author, request_id, "left").json == {"in_session": False}
    assert report(author, request_id, "left").status_code == 200  # repeated: nothing new
    with video_app.app_context():  # the session lasted 24 minutes: the duration comes from the server's times
        session = db.session.query(VideoSession).filter_by(request_id=request_id).one()
        session.started_at -= datetime.timedelta(minutes=24)
        db.session.commit()
    assert report(consultant, request_id, "left").status_code == 200
    assert history(video_app, request_id) == [
        ("video_started", "consultant1"), ("video_joined", "requester1"), ("video_left", "requester1"),
        ("video_left", "consultant1"), ("video_ended", "consultant1")]
    texts = chat_texts(video_app, request_id)
    assert texts[-2:] == ["Видеоконсультация начата: Иванов И. И.", "Видеоконсультация завершена, 24 мин"]
    with video_app.app_context():
        request = db.session.get(ConsultationRequest, request_id)
        assert request.mode == "mixed"  # a deferred consultation that needed video
        session = db.session.query(VideoSession).filter_by(request_id=request_id).one()
        assert session.ended_at is not None and session.started_by.username == "consultant1"
    page = consultant.get(f"/requests/{request_id}")
    assert "Продолжительность: 24 мин" in visible_text(page.get_data(as_text=True))


def test_a_sync_consultation_stays_sync(video_app):
    request_id = taken_request(video_app, mode="sync")
    client = login(video_app.test_client(), "consultant1")
    report(client, request_id, "joined")
    report(client, request_id, "left")
    with video_app.app_context():
        assert db.session.get(ConsultationRequest, request_id).mode == "sync"


def test_a_silent_page_is_taken_out_as_of_its_last_report(video_app):
    request_id = taken_request(video_app)
    consultant = login(video_app.test_client(), "consultant1")
    report(consultant, request_id, "joined")
    last_seen = datetime.datetime(2026, 1, 1, 10, 0)
    with video_app.app_context():
        presence = db.session.query(VideoPresence).join(VideoSession).filter(
            VideoSession.request_id == request_id).one()
        presence.last_seen_at = last_seen
        presence.session.started_at = last_seen - datetime.timedelta(minutes=10)
        db.session.commit()
        assert sessions.sweep() >= 1
        session = db.session.query(VideoSession).filter_by(request_id=request_id).one()
        assert session.ended_at == last_seen and session.minutes == 10
    assert history(video_app, request_id)[-2:] == [("video_left", "consultant1"), ("video_ended", "consultant1")]
    # the page was only asleep: its next report joins it again, in a new session
    assert report(consultant, request_id, "still_there").json == {"in_session": True}
    assert history(video_app, request_id)[-1] == ("video_started", "consultant1")


def test_recording_is_a_moderators_and_is_told_in_the_chat(video_app):
    request_id = taken_request(video_app)
    consultant = login(video_app.test_client(), "consultant1")
    author = login(video_app.test_client(), "requester1")
    report(consultant, request_id, "joined")
    report(author, request_id, "joined")
    refused = report(author, request_id, "recording_started")
    assert refused.status_code == 409 and "Записывать" in refused.json["message"]
    assert report(consultant, request_id, "recording_started").status_code == 200
    assert chat_texts(video_app, request_id)[-1] == "Запись видеоконсультации начата: Иванов И. И."


def test_no_video_for_drafts_and_closed_requests(video_app):
    with video_app.app_context():
        draft_id = new_request(author="requester1", submit=False).id
        closed = new_request(author="requester1")
        apply(user("requester1"), closed, "cancel", {"comment": "Пациент выписан"}, by_hand=True)
        closed_id = closed.id
    client = login(video_app.test_client(), "requester1")
    assert "после отправки" in entry(video_app, "requester1", draft_id).json["message"]
    assert report(client, closed_id, "joined").status_code == 409
    page = client.get(f"/requests/{closed_id}/video")
    assert page.status_code == 200 and "external_api.js" not in page.get_data(as_text=True)


@pytest.mark.parametrize("body", [{}, {"event": "exploded"}, {"event": 5}, [], "joined"])
def test_a_bad_report_is_refused_in_russian(video_app, body):
    request_id = taken_request(video_app)
    answer = report(login(video_app.test_client(), "consultant1"), request_id, None) if body is None else \
        login(video_app.test_client(), "consultant1").post(f"/api/v1/requests/{request_id}/video/events", json=body)
    assert answer.status_code in (400, 422)
    assert any("а" <= ch <= "я" for ch in str(answer.json).lower())


def test_the_photo_in_the_room_is_a_signed_address_without_the_cookie(video_app):
    """The video server's page has no portal cookie: the token's avatar is an address signed for the token's
    hour, served to anyone who has it, and only while the photo is the account's."""
    import io

    from PIL import Image

    from app.documents.photos import remove_photo, set_photo

    request_id = taken_request(video_app)
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 120, 200)).save(picture, "JPEG")
    with video_app.app_context():
        set_photo(db.session, user("consultant1"), picture.getvalue())
        db.session.commit()
    try:
        avatar = claims_of(entry(video_app, "consultant1", request_id).json["jwt"])["context"]["user"]["avatar"]
        assert avatar.startswith("http://localhost/requests/video-avatars/") and avatar.endswith(".jpg")
        anonymous = video_app.test_client()
        path = avatar.removeprefix("http://localhost")
        served = anonymous.get(path)
        assert served.status_code == 200 and served.mimetype == "image/jpeg" and served.data[:2] == b"\xff\xd8"
        assert anonymous.get(path.replace(".jpg", "x.jpg")).status_code == 404  # a signature altered
        assert anonymous.get("/requests/video-avatars/forged.jpg").status_code == 404
        with video_app.app_context():
            remove_photo(db.session, user("consultant1"))
            db.session.commit()
        assert anonymous.get(path).status_code == 404  # no longer his photo
        # without a photo Jitsi shows the initials of the name
        assert claims_of(entry(video_app, "consultant1", request_id).json["jwt"])["context"]["user"]["avatar"] == ""
    finally:
        with video_app.app_context():
            remove_photo(db.session, user("consultant1"))
            db.session.commit()


def test_the_photos_address_expires_with_the_token(video_app, monkeypatch):
    import time

    from itsdangerous.timed import TimestampSigner

    from app.video import entry as video_entry
    from app.video.tokens import LIFETIME

    with video_app.test_request_context():
        made_at = time.time() - LIFETIME.total_seconds() - 5
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(made_at))
        signed = video_entry._avatar_serializer().dumps("ab" * 32)
        monkeypatch.undo()
        assert video_entry.photo_of_signed(signed) is None
        assert video_entry.photo_of_signed(video_entry._avatar_serializer().dumps("ab" * 32)) == "ab" * 32
