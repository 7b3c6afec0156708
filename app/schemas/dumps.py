"""What the API, the pages' JSON and the sockets return for a request, a chat message and a document:
one shape each, whoever sends it. The workflow's facts (time left, allowed actions) come as arguments."""
import datetime

from flask import url_for

from app.documents.library import size_label, type_label
from app.documents.serving import preview_kind
from app.models import STATUS_LABELS, Document
from app.schemas.formatting import format_datetime, iso_time


def document_json(document: Document) -> dict:
    """A file as the chat and the picker show it."""
    preview = preview_kind(document.content_type)
    return {
        "id": document.id, "name": document.name, "content_type": document.content_type,
        "type": type_label(document.content_type), "size": document.size, "size_label": size_label(document.size),
        "created": format_datetime(document.created_at), "preview": preview,
        "download_url": url_for("DocumentsView.download", document_id=document.id),
        "preview_url": url_for("DocumentsView.preview", document_id=document.id) if preview else None,
    }


def message_json(message) -> dict:
    """A chat message as stored (app/workflow/chat.py StoredMessage: id, request_id, kind, text, created_at,
    client_id, author_id, author_name, document, author_photo)."""
    return {
        "id": message.id, "kind": message.kind,
        "author": _author_json(message) if message.author_id is not None else None,
        "text": message.text,
        "file": _file_json(message) if message.document is not None else None,
        "created_at": message.created_at.isoformat(timespec="seconds") + "Z",
        "shown_at": format_datetime(message.created_at),  # in the portal's time zone, as the pages show it
        "client_id": message.client_id,
    }


def _author_json(message) -> dict:
    """Who wrote it, with the address of his profile photo (None: the page shows his initials)."""
    photo = message.author_photo
    return {"id": message.author_id, "name": message.author_name,
            "photo_url": url_for("ProfileView.photo", sha256=photo) if photo else None}


def _file_json(message) -> dict:
    """The file as pages show it, and where a client with a JWT fetches it."""
    api_url = url_for("MessageApi.file", request_id=message.request_id, message_id=message.id)
    return {**document_json(message.document), "api_url": api_url}


def _person(user) -> dict | None:
    return {"id": user.id, "name": user.full_name} if user else None


def request_summary_json(consultation, time_left: datetime.timedelta | None) -> dict:
    """A request as a list shows it; ``time_left`` is app/workflow/deadlines.py's."""
    return {
        "id": consultation.id, "number": consultation.number, "status": consultation.status,
        "status_label": str(STATUS_LABELS[consultation.status]), "urgency": consultation.urgency,
        "patient": consultation.patient.short_name if consultation.patient else None,
        "care_profile": {"id": consultation.care_profile_id, "name": consultation.care_profile.name},
        "consulting_organization": {"id": consultation.consulting_organization_id,
                                    "name": consultation.consulting_organization.short_name},
        "created_at": iso_time(consultation.created_at), "due_at": iso_time(consultation.due_at),
        "minutes_left": int(time_left.total_seconds() // 60) if time_left is not None else None,
    }


def request_json(consultation, time_left: datetime.timedelta | None, allowed_actions: list[str]) -> dict:
    """A request with its patient, records and history; ``allowed_actions`` are what its reader may do."""
    patient = consultation.patient
    return {
        **request_summary_json(consultation, time_left),
        "mode": consultation.mode, "goal": consultation.goal, "question": consultation.question,
        "anamnesis": consultation.anamnesis,
        "diagnosis": {"code": consultation.diagnosis_code, "text": consultation.diagnosis_text},
        "consent_given": consultation.consent_given, "route": consultation.route_id,
        "requesting_organization": {"id": consultation.requesting_organization_id,
                                    "name": consultation.requesting_organization.short_name},
        "author": _person(consultation.author), "consultant": _person(consultation.consultant),
        "designated_consultant": _person(consultation.designated_consultant),
        "patient": None if patient is None else {
            "last_name": patient.last_name, "first_name": patient.first_name, "middle_name": patient.middle_name,
            "birth_date": patient.birth_date.isoformat(), "sex": patient.sex, "snils": patient.snils,
            "oms_policy": patient.oms_policy},
        "external_records": [{"source": r.source, "record_date": r.record_date.isoformat(), "title": r.title,
                              "summary": r.summary} for r in consultation.external_records],
        "received_at": iso_time(consultation.received_at), "taken_at": iso_time(consultation.taken_at),
        "completed_at": iso_time(consultation.completed_at), "paused": consultation.paused_at is not None,
        "allowed_actions": allowed_actions,
        "history": [{"action": e.action, "from": e.from_status, "to": e.to_status, "actor": _person(e.actor),
                     "at": iso_time(e.created_at), "comment": e.comment} for e in consultation.events],
    }
