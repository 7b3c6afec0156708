"""What a room page reports about its own user (app/video/sessions.py decides what it means)."""
from marshmallow import fields, validate

from app.schemas.base import Schema

# joined / left the room; still_there every half minute; the recording a moderator started or stopped
VIDEO_REPORTS = ("joined", "still_there", "left", "recording_started", "recording_stopped")


class VideoReportSchema(Schema):
    event = fields.String(required=True, validate=validate.OneOf(VIDEO_REPORTS), metadata={
        "description": "what happened to the reporting user: joined, still_there (every 30 s), left, "
                       "recording_started, recording_stopped (a moderator only)"})
