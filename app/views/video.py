"""The video room of a request (manual §3.5): a page that embeds the room of the portal's Jitsi server
with its IFrame API; the script enters and reports through app/api/video.py. Only this page lets the
video server's script and frame in (the CSP); without a server it says what the administrator sets."""
from flask import abort, current_app, g, send_file
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l

from app.documents.photos import photo_path_of
from app.extensions import db
from app.models import RequestAttachment
from app.security.headers import allow_video_server
from app.security.requests import visible_request_or_404
from app.video.entry import photo_of_signed, refusal
from app.video.rooms import is_moderator
from app.video.sessions import REPORT_SECONDS


class VideoView(BaseView):
    route_base = "/requests"
    default_view = "room"
    class_permission_name = "Requests"
    method_permission_name = {"room": "read"}

    @expose("/<int:request_id>/video")
    @has_access
    @permission_name("read")
    def room(self, request_id):
        consultation = visible_request_or_404(db.session, g.user, request_id)
        refused = refusal(g.user, consultation)
        if not refused:
            allow_video_server(current_app.config["JITSI_DOMAIN"])
        return self.render_template(
            "video/room.html", r=consultation, refused=refused, title=_l("Video consultation"),
            moderator=is_moderator(g.user, consultation), report_seconds=REPORT_SECONDS,
            attachments=db.session.query(RequestAttachment).filter(
                RequestAttachment.request_id == consultation.id,
                RequestAttachment.kind.in_(("attachment", "consent"))).all())

    @expose("/video-avatars/<signed>.jpg")
    def avatar(self, signed):
        """A participant's photo for the video server's page, which has no portal cookie: the signed
        address (app/video/entry.py) is the permission, and it expires with the token."""
        sha256 = photo_of_signed(signed)
        path = photo_path_of(db.session, sha256) if sha256 else None
        if path is None:
            abort(404)
        return send_file(path, mimetype="image/jpeg", max_age=3600)
