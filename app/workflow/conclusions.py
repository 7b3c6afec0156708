"""Finishing a consultation (manual §3.6, DESIGN.md §5): the form, rendering (in_work → signing), the
signature or its skipping, or a scan instead of the form (→ completed)."""
import dataclasses
import datetime
import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from app.conclusions.assemble import content_of
from app.documents.storage import open_document, sniff_content_type, store_bytes, store_upload
from app.extensions import db
from app.core.jobs import enqueue, forget
from app.models import (
    CONCLUSION_TEXTS,
    EXTERNAL_SOURCE_LABELS,
    Conclusion,
    RequestAttachment,
    Signature,
    utcnow,
)
from app.core.errors import InvalidInput, NotAllowed
from app.schemas.base import flat_messages, load_partial
from app.schemas.conclusions import ConclusionSchema
from app.schemas.identifiers import is_icd10
from app.workflow import rules
from app.workflow.engine import apply

# The rendering's cost grows with lines and characters (xhtml2pdf: 1 000 short lines take ~2 s, 9 999
# lines in each field took a minute): bounded here, for the form, the API and the renderer alike.
MAX_LINES = 200
MAX_TOTAL_LINES = 500
MAX_TOTAL_TEXT = 40000
MAX_SIGNATURE_BYTES = 1024 * 1024
# a rendering job not done by then is taken as lost (a worker down): the consultant may start again
RENDERING_GIVES_UP_AFTER = datetime.timedelta(minutes=5)
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SIGNATURE_TYPE = "application/pkcs7-signature"
SCAN_TYPES = (PDF_TYPE, "image/jpeg", "image/png")
# СНИЛС in the subject of a Russian qualified certificate
SNILS_IN_SUBJECT = re.compile(r"1\.2\.643\.100\.3=(\d{11})")


@dataclasses.dataclass
class ConclusionData:
    answer: str = ""
    condition: str = ""
    diagnosis_code: str = ""
    diagnosis_text: str = ""
    concomitant: str = ""
    recommendations_diagnostics: str = ""
    recommendations_treatment: str = ""
    recommendations_transfer: str = ""
    recommendations_in_person: str = ""
    documents_reviewed: str = ""
    mode: str = ""


FIELDS = tuple(field.name for field in dataclasses.fields(ConclusionData))
REQUIRED = ("answer", "condition", "diagnosis_code", "diagnosis_text", "mode")


def conclusion_problems(data: ConclusionData, for_render: bool) -> dict[str, str]:
    """Field → Russian message. A draft may be incomplete, never malformed: each field as its schema
    takes it (app/schemas/conclusions.py), then what the rendering needs of the whole."""
    try:
        load_partial(ConclusionSchema(), dataclasses.asdict(data))
        problems = {}
    except ValidationError as error:
        problems = flat_messages(error.messages)
    for name in CONCLUSION_TEXTS:
        if name not in problems and len(getattr(data, name).splitlines()) > MAX_LINES:
            problems[name] = str(_l("At most %(n)d lines", n=MAX_LINES))
    if not problems:  # the whole conclusion, marked on its longest field, where cutting helps most
        total = sum(len(getattr(data, name)) for name in CONCLUSION_TEXTS)
        lines = sum(len(getattr(data, name).splitlines()) for name in CONCLUSION_TEXTS)
        longest = max(CONCLUSION_TEXTS, key=lambda name: len(getattr(data, name)))
        if total > MAX_TOTAL_TEXT:
            problems[longest] = str(_l("At most %(n)d characters in the whole conclusion (now %(count)d)",
                                       n=MAX_TOTAL_TEXT, count=total))
        elif lines > MAX_TOTAL_LINES:
            problems[longest] = str(_l("At most %(n)d lines in the whole conclusion (now %(count)d)",
                                       n=MAX_TOTAL_LINES, count=lines))
    if data.diagnosis_code and "diagnosis_code" not in problems and not is_icd10(data.diagnosis_code):
        problems["diagnosis_code"] = str(_l("An ICD-10 code looks like I20.0"))
    if for_render:
        for name in REQUIRED:
            if not getattr(data, name) and name not in problems:
                problems[name] = str(_l("Required field"))
    return problems


def normalized(data: ConclusionData) -> ConclusionData:
    values = {name: (getattr(data, name) or "").strip() for name in FIELDS}
    values["diagnosis_code"] = values["diagnosis_code"].upper().replace(",", ".")
    return ConclusionData(**values)


def _reviewed_documents(request) -> str:
    """The pre-filled «Изученные документы»: the request's files and ИЭМК/ОДЛИ/ОДИИ records."""
    lines = [f"{a.document.name}" for a in request.attachments if a.kind in ("attachment", "consent")]
    lines += [f"{EXTERNAL_SOURCE_LABELS[r.source]}: {r.title} ({r.record_date.strftime('%d.%m.%Y')})"
              for r in request.external_records]
    return "\n".join(lines)


def form_of(request) -> ConclusionData:
    """What the form shows: the saved draft, or a new one pre-filled from the request."""
    if request.conclusion is not None:
        return ConclusionData(**{name: getattr(request.conclusion, name) or "" for name in FIELDS})
    return ConclusionData(diagnosis_code=request.diagnosis_code, diagnosis_text=request.diagnosis_text,
                          documents_reviewed=_reviewed_documents(request), mode=request.mode or "")


def save_form(actor, request, data: ConclusionData) -> Conclusion:
    """Keep the form while the consultant works (a draft may be incomplete)."""
    require(rules.may_conclude, actor, request, _l("Only the consultant of a request in work fills its conclusion"))
    data = normalized(data)
    problems = conclusion_problems(data, for_render=False)
    if problems:
        raise InvalidInput(_l("Correct the marked fields"), fields=problems)
    conclusion = request.conclusion or Conclusion(request=request, author_id=actor.id)
    if conclusion.state == "rendering" and utcnow() - conclusion.updated_at < RENDERING_GIVES_UP_AFTER:
        raise NotAllowed(_l("The conclusion is being prepared; wait a moment"))
    for name in FIELDS:
        setattr(conclusion, name, getattr(data, name) or ("" if name != "mode" else None))
    conclusion.author_id, conclusion.state = actor.id, "draft"
    db.session.add(conclusion)
    db.session.commit()
    return conclusion


def start_rendering(actor, request, data: ConclusionData, here: bool = False) -> Conclusion:
    """«Сформировать»: saves the form, checks it is complete, makes the documents — in an RQ job when
    Redis is configured (the page follows its progress), otherwise, or when Redis cannot take the job
    or ``here`` asks for it (the demo), here and now."""
    data = normalized(data)
    problems = conclusion_problems(data, for_render=True)
    if problems:
        if conclusion_problems(data, for_render=False):
            raise InvalidInput(_l("Correct the marked fields"), fields=problems)
        save_form(actor, request, data)  # an incomplete form is kept: nothing typed is lost
        raise InvalidInput(_l("Fill in the required fields marked *"), fields=problems)
    conclusion = save_form(actor, request, data)
    conclusion.state, conclusion.error = "rendering", ""
    job = enqueue("app.jobs.tasks.render_conclusion", conclusion.id) if current_app.config["REDIS_URL"] and not here else None
    db.session.commit()
    if job is not None:
        if job.queued:
            return conclusion
        # Redis is down: the consultant need not wait for it to come back, the job is not needed
        current_app.logger.warning("conclusion %s: rendered in the web process, Redis unreachable", conclusion.id)
        forget([job])
    render_documents(conclusion)
    return conclusion


def render_documents(conclusion: Conclusion) -> None:
    """Render the PDF and the DOCX, attach them to the request and move it on to signing (a corrected
    form rendered again replaces the documents to sign; the earlier ones stay attached)."""
    from app.conclusions.render import render_docx, render_pdf

    request = conclusion.request
    if conclusion.state != "rendering":
        return  # done by an earlier attempt
    if request.status not in ("in_work", "signing"):
        conclusion.state, conclusion.error = "failed", str(_l("The request is no longer in work"))
        db.session.commit()
        return
    # the guard at the renderer, whatever path led here (a form saved before the limits, a queued job)
    problems = conclusion_problems(form_of(request), for_render=False)
    if problems:
        conclusion.state = "failed"
        conclusion.error = "; ".join(f"{CONCLUSION_TEXTS.get(name, name)}: {text}"
                                     for name, text in problems.items())[:500]
        db.session.commit()
        return
    try:
        content = content_of(conclusion, utcnow())
        pdf, docx = render_pdf(content), render_docx(content)
    except Exception as error:  # the consultant sees why and may try again; the form is kept
        current_app.logger.exception("conclusion %s: rendering failed", conclusion.id)
        db.session.rollback()
        conclusion.state, conclusion.error = "failed", str(_l("The documents could not be made: %(error)s",
                                                               error=str(error)[:300]))
        db.session.commit()
        return
    name = f"Заключение {request.number}"
    conclusion.pdf_document = store_bytes(conclusion.author, f"{name}.pdf", pdf, PDF_TYPE)
    conclusion.docx_document = store_bytes(conclusion.author, f"{name}.docx", docx, DOCX_TYPE)
    for document in (conclusion.pdf_document, conclusion.docx_document):
        db.session.add(RequestAttachment(request=request, document=document, kind="conclusion"))
    conclusion.state, conclusion.rendered_at, conclusion.error = "ready", utcnow(), ""
    apply(conclusion.author, request, "conclude")  # the documents above go in the same commit


def _complete(actor, request, comment: str) -> None:
    apply(actor, request, "complete", {"comment": comment})


def require(check, actor, request, message) -> None:
    if not check(actor, request):
        raise NotAllowed(message)


def sign(actor, request, signature: bytes, now=None) -> Signature:
    """A detached signature of the rendered PDF: verified, stored, and the request completed."""
    from app.conclusions.signatures import SignatureError, verify_detached

    require(rules.may_sign, actor, request, _l("Only the consultant signs the conclusion, after it is prepared"))
    if not signature:
        raise InvalidInput(_l("Choose the signature file (.sgn, .sig or .p7s)"))
    if len(signature) > MAX_SIGNATURE_BYTES:
        raise InvalidInput(_l("A signature file is at most 1 MB"))
    conclusion = request.conclusion
    pdf = open_document(conclusion.pdf_document).read_bytes()
    try:
        signers = verify_detached(pdf, signature, now=now)
    except SignatureError as error:
        raise InvalidInput(error.message) from error
    for info in signers:
        found = SNILS_IN_SUBJECT.search(info.subject)
        if found and actor.snils and found.group(1) != actor.snils:
            raise InvalidInput(_l("The certificate was issued to another person (SNILS %(snils)s): sign with your own",
                                  snils=found.group(1)))
    stored = store_bytes(actor, f"{conclusion.pdf_document.name}.sgn", signature, SIGNATURE_TYPE)
    db.session.add(RequestAttachment(request=request, document=stored, kind="signature"))
    rows = [Signature(conclusion=conclusion, signed_document_id=conclusion.pdf_document_id, document=stored,
                      signer=info.signer, subject=info.subject, issuer=info.issuer, serial=info.serial,
                      algorithm=info.algorithm, signing_time=info.signing_time, not_before=info.not_before,
                      not_after=info.not_after, uploaded_by_id=actor.id) for info in signers]
    db.session.add_all(rows)
    _complete(actor, request, str(_l("Signed with an electronic signature: %(signer)s",
                                     signer=", ".join(info.signer for info in signers))))
    return rows[0]


def skip_signature(actor, request) -> None:
    """«Пропустить»: signing is optional for now (manual §3.6.1)."""
    require(rules.may_sign, actor, request, _l("Only the consultant signs the conclusion, after it is prepared"))
    _complete(actor, request, str(_l("Without an electronic signature")))


def upload_scan(actor, request, filename: str, data: bytes) -> Conclusion:
    """A scan of a conclusion signed by hand instead of the form (manual §3.6.2)."""
    require(rules.may_upload_scan, actor, request, _l("Only the consultant of a request in work uploads its conclusion"))
    if data and sniff_content_type(data) not in SCAN_TYPES:
        raise InvalidInput(_l("A scanned conclusion must be a PDF, JPEG or PNG file"))
    document = store_upload(actor, filename, data)
    conclusion = request.conclusion or Conclusion(request=request, author_id=actor.id)
    conclusion.scan_document = document
    db.session.add_all([conclusion, RequestAttachment(request=request, document=document, kind="scan")])
    _complete(actor, request, str(_l("A scanned conclusion was uploaded: %(name)s", name=document.name)))
    return conclusion
