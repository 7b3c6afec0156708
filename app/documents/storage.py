"""Files on disk, each stored once under its sha256, with a type decided by content, not by name."""
import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Document
from app.core.errors import InvalidInput

# (content type, extension) by what the first bytes say
_MAGIC = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\x1aE\xdf\xa3", "video/webm"),
    (b"OggS", "audio/ogg"),
]
OFFICE_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# the extensions a name may carry for what the content is, the first one added to a name without any
# (ASVS 5.0 V5.2.2: a script named report.png or a PDF named .docx is refused, not stored misnamed)
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "image/png": ("png",),
    "video/webm": ("webm",),
    "audio/ogg": ("ogg", "oga", "ogv", "opus"),
    "application/dicom": ("dcm", "dicom"),
    "video/mp4": ("mp4", "m4a", "m4v"),
    OFFICE_TYPES["word/"]: ("docx",),
    OFFICE_TYPES["xl/"]: ("xlsx",),
    "text/plain": ("txt", "csv", "tsv", "log"),
}
# what reads as an extension; «Иванов И.И» has none
EXTENSION_RE = re.compile(r"[A-Za-z0-9]{1,5}")


def sniff_content_type(data: bytes) -> str | None:
    """The type of an allowed file, or None: PDF, JPEG, PNG, DOCX, XLSX, TXT, DICOM, WebM, Ogg, MP4."""
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    if len(data) > 132 and data[128:132] == b"DICM":
        return "application/dicom"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            for prefix, content_type in OFFICE_TYPES.items():
                if any(name.startswith(prefix) for name in names):
                    return content_type
        return None
    if b"\x00" not in data[:4096]:
        try:
            data.decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError:
            return None
    return None


def safe_filename(name: str) -> str:
    """A display name without paths, control characters or characters that break headers."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = re.sub(r"[\x00-\x1f\x7f\"<>:|?*;]", "_", name).strip(" .")
    return (name or "file")[:200]


def _path_for(sha256: str) -> Path:
    return Path(current_app.instance_path) / "files" / sha256[:2] / sha256


def check_upload(filename: str, data: bytes) -> tuple[str, str]:
    """(the name to keep, the content type) of an uploaded file, or InvalidInput with a Russian message:
    empty, of a type the portal does not take, or named as something it is not. A name without an
    extension gets the content's own."""
    name = safe_filename(filename)
    if not data:
        raise InvalidInput(_l("The file %(name)s is empty", name=name))
    content_type = sniff_content_type(data)
    if content_type is None:
        raise InvalidInput(_l("The file %(name)s is of a type the portal does not accept "
                              "(PDF, JPEG, PNG, DOCX, XLSX, TXT, DICOM, audio and video)", name=name))
    allowed = EXTENSIONS[content_type]
    stem, dot, extension = name.rpartition(".")
    if not (dot and stem and EXTENSION_RE.fullmatch(extension)):
        return f"{name[:200 - len(allowed[0]) - 1]}.{allowed[0]}", content_type
    if extension.lower() not in allowed:
        raise InvalidInput(_l("The content of the file %(name)s does not match its name: a file of this kind "
                              "must end in %(extensions)s", name=name,
                              extensions=", ".join(f".{e}" for e in allowed)))
    return name, content_type


def store_upload(owner, filename: str, data: bytes) -> Document:
    """Keep the bytes (once per content) and add a Document row owned by ``owner`` to the session."""
    name, content_type = check_upload(filename, data)
    return store_bytes(owner, name, data, content_type)


def store_bytes(owner, filename: str, data: bytes, content_type: str) -> Document:
    """Keep bytes the portal made or checked itself (a rendered conclusion, a verified signature)."""
    sha256 = keep_bytes(data)
    document = Document(owner_id=owner.id, name=safe_filename(filename), content_type=content_type,
                        size=len(data), sha256=sha256)
    db.session.add(document)
    return document


def keep_bytes(data: bytes) -> str:
    """Write the bytes once under their sha256 (if not there yet) and return it."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = _path_for(sha256)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # a temporary file of its own per upload: parallel uploads of the same content once shared
        # one «<sha>.part», and all but the first failed to move it; the last os.replace wins, same bytes
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f"{sha256}.", suffix=".part",
                                         delete=False) as temporary:
            temporary.write(data)
        try:
            os.replace(temporary.name, path)
        except OSError:
            os.unlink(temporary.name)
            raise
    return sha256


def open_document(document: Document) -> Path:
    return _path_for(document.sha256)


def stored_path(sha256: str) -> Path:
    """Where the bytes of that sha256 are kept (64 hex digits: a caller checks it is one)."""
    return _path_for(sha256)


def discard_bytes(sha256: str) -> None:
    """Remove the bytes of that sha256 from disk (the caller knows nothing refers to them any more)."""
    _path_for(sha256).unlink(missing_ok=True)
