"""The profile's photo (manual §4.1, «Изображения»): a JPEG, PNG or WebP, checked by its content and
decoded by Pillow, cut to a centred square, scaled to PHOTO_SIZE and encoded anew as JPEG — so nothing
of the upload but its pixels is kept: no EXIF (GPS, camera, time), no comments, no second image. The
result is kept by its sha256 like every stored file, and the account names it (ab_user.photo_sha256)."""
import io
import re
import warnings

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import InvalidInput
from app.core.transaction import on_commit
from app.documents.storage import keep_bytes, sniff_content_type, stored_path
from app.models import Document, TmkUser

# what the first bytes say → Pillow's decoder; nothing else is decoded
PHOTO_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 50_000_000  # a 10 MB file may unpack to gigabytes: refused before decoding
PHOTO_SIZE = 256
PHOTO_QUALITY = 88
MAX_ZOOM = 4.0  # the square is at least a quarter of the shorter side
SHA256_RE = re.compile(r"[0-9a-f]{64}")


def photo_type(data: bytes) -> str | None:
    """image/jpeg, image/png or image/webp by the content; None for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    content_type = sniff_content_type(data[:4096])
    return content_type if content_type in PHOTO_FORMATS else None


def make_photo(data: bytes, x: float = 0.5, y: float = 0.5, zoom: float = 1.0) -> bytes:
    """The square JPEG of an uploaded picture, or InvalidInput with a Russian message. The square's side is
    ``1 / zoom`` of the picture's shorter side; ``x`` and ``y`` place it in the room left around it, from 0
    (left, top) to 1 (right, bottom) — CSS background-position in per cent, which the page's preview uses."""
    if not data:
        raise InvalidInput(_l("Choose a photo to upload"))
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(_l("The photo is larger than %(mb)d MB", mb=MAX_PHOTO_BYTES // (1024 * 1024)))
    content_type = photo_type(data)
    if content_type is None:
        raise InvalidInput(_l("The photo must be a JPEG, PNG or WebP image"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PHOTO_FORMATS[content_type]]) as image:
                if image.width * image.height > MAX_PHOTO_PIXELS:
                    raise InvalidInput(_l("The photo has too many pixels: at most %(mp)d megapixels",
                                          mp=MAX_PHOTO_PIXELS // 1_000_000))
                image.seek(0)  # an animated PNG or WebP: its first frame
                image.load()
                upright = ImageOps.exif_transpose(image)  # a phone's portrait stays upright without its EXIF
                square = _square(_on_white(upright), x, y, zoom)
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise InvalidInput(_l("The photo could not be read: it is damaged or not an image")) from error
    output = io.BytesIO()
    square.save(output, "JPEG", quality=PHOTO_QUALITY, optimize=True)  # no exif=, no icc_profile=: none kept
    return output.getvalue()


def _square(image: Image.Image, x: float, y: float, zoom: float) -> Image.Image:
    side = min(image.size) / min(max(zoom, 1.0), MAX_ZOOM)
    left, top = (image.width - side) * min(max(x, 0.0), 1.0), (image.height - side) * min(max(y, 0.0), 1.0)
    return image.resize((PHOTO_SIZE, PHOTO_SIZE), Image.Resampling.LANCZOS, box=(left, top, left + side, top + side))


def _on_white(image: Image.Image) -> Image.Image:
    """RGB; a transparent background becomes white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def set_photo(session: Session, user: TmkUser, data: bytes, x: float = 0.5, y: float = 0.5,
              zoom: float = 1.0) -> None:
    """The user's new photo, made from an upload (the square chosen as make_photo says); the old one's
    bytes go once the change commits."""
    photo = make_photo(data, x, y, zoom)
    _replace(session, user, keep_bytes(photo))


def remove_photo(session: Session, user: TmkUser) -> None:
    _replace(session, user, None)


def _replace(session: Session, user: TmkUser, sha256: str | None) -> None:
    old = user.photo_sha256
    user.photo_sha256 = sha256
    if old is None or old == sha256:
        return
    shared = session.scalar(select(TmkUser.id).where(TmkUser.photo_sha256 == old, TmkUser.id != user.id).limit(1))
    kept = session.scalar(select(Document.id).where(Document.sha256 == old).limit(1))
    if shared is None and kept is None:  # the same bytes may be another's photo or a stored document
        path = stored_path(old)
        on_commit(lambda: path.unlink(missing_ok=True), session)


def photo_path_of(session: Session, sha256: str):
    """The file of a photo some account has now, or None: only current photos are served by their
    sha256, never another stored file (a medical document) named by its hash."""
    if not SHA256_RE.fullmatch(sha256):
        return None
    owner = session.scalar(select(TmkUser.id).where(TmkUser.photo_sha256 == sha256).limit(1))
    if owner is None:
        return None
    path = stored_path(sha256)
    return path if path.exists() else None
