"""«Загрузить» (manual §3.6.1): the conclusion — its PDF, or the scan — and each signature as .sgn, in a zip.
Who may have it is decided before (the request's visibility)."""
import io
import zipfile

from flask import Response, g, send_file

from app.documents.storage import open_document
from app.security.audit import audit


def has_archive(consultation) -> bool:
    """A conclusion was rendered or scanned: there is something to download."""
    conclusion = consultation.conclusion
    return conclusion is not None and bool(conclusion.pdf_document_id or conclusion.scan_document_id)


def zip_of_conclusion(conclusion) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        main = conclusion.pdf_document or conclusion.scan_document
        archive.writestr(main.name, open_document(main).read_bytes())
        for number, signature in enumerate(conclusion.signatures, start=1):
            suffix = "" if number == 1 else f"-{number}"
            archive.writestr(f"{signature.signed_document.name}{suffix}.sgn",
                             open_document(signature.document).read_bytes())
    return buffer.getvalue()


def send_conclusion_zip(consultation) -> Response:
    conclusion = consultation.conclusion
    audit(g.user, "download", "conclusion", conclusion.id)
    response = send_file(io.BytesIO(zip_of_conclusion(conclusion)), mimetype="application/zip", as_attachment=True,
                         download_name=f"Заключение {consultation.number}.zip", max_age=0)
    response.cache_control.private = True  # medical files never sit in a shared cache
    return response
