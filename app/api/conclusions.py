"""/api/v1/requests/<id>/conclusion… and /documents for medical information systems: the same workflow
and visibility as the pages (app/views/conclusions.py)."""
from flask import g, request, url_for
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import lazy_gettext as _l

from app.api.base import WorkflowApiMixin
from app.conclusions.archive import has_archive, send_conclusion_zip
from app.documents.serving import send_document
from app.extensions import db
from app.models import RequestAttachment
from app.schemas.conclusions import ConclusionSchema
from app.schemas.formatting import iso_time
from app.security.audit import audit
from app.security.documents import readable_request_document
from app.security.requests import find_visible_request
from app.workflow import conclusions as flow
from app.core.errors import InvalidInput, WorkflowError

KIND_OF_ATTACHMENT = {"attachment": "attachment", "consent": "consent_scan", "conclusion": "conclusion",
                      "scan": "conclusion_scan", "signature": "signature"}


def _uploaded_file() -> tuple[str, bytes]:
    """A multipart `file`, or the raw body (a signature posted as application/pkcs7-signature)."""
    upload = request.files.get("file")
    name, data = (upload.filename or "", upload.read()) if upload is not None else ("", request.get_data())
    if not data:
        raise InvalidInput(_l("The file is missing: send it as multipart field «file»"))
    return name, data


def conclusion_json(conclusion) -> dict:
    return {
        **{name: getattr(conclusion, name) or "" for name in flow.FIELDS},
        "state": conclusion.state, "error": conclusion.error or None, "rendered_at": iso_time(conclusion.rendered_at),
    }


def signature_json(signature) -> dict:
    return {"signer": signature.signer, "subject": signature.subject, "issuer": signature.issuer,
            "serial": signature.serial, "algorithm": signature.algorithm,
            "signing_time": iso_time(signature.signing_time), "valid_from": iso_time(signature.not_before),
            "valid_to": iso_time(signature.not_after)}


def documents_json(consultation) -> list[dict]:
    """Each document of the request with its kind, checksum, signatures and download URLs."""
    conclusion = consultation.conclusion
    signatures = {}
    for signature in (conclusion.signatures if conclusion else []):
        signatures.setdefault(signature.signed_document_id, []).append(signature_json(signature))
    rows = (db.session.query(RequestAttachment).filter_by(request_id=consultation.id)
            .order_by(RequestAttachment.id).all())
    result = []
    for attached in rows:
        document = attached.document
        urls = {"download": url_for("ConclusionApi.document", request_id=consultation.id, document_id=document.id,
                                    _external=True)}
        if conclusion and document.id == conclusion.pdf_document_id:
            urls["pdf"] = urls["download"]
            if conclusion.docx_document_id:
                urls["docx"] = url_for("ConclusionApi.document", request_id=consultation.id,
                                       document_id=conclusion.docx_document_id, _external=True)
        if conclusion and document.id in (conclusion.pdf_document_id, conclusion.scan_document_id):
            urls["zip"] = url_for("ConclusionApi.archive", request_id=consultation.id, _external=True)
        result.append({"id": document.id, "kind": KIND_OF_ATTACHMENT.get(attached.kind, attached.kind),
                       "name": document.name, "content_type": document.content_type, "size": document.size,
                       "sha256": document.sha256, "created_at": iso_time(document.created_at),
                       "signatures": signatures.get(document.id, []), "urls": urls})
    return result


class ConclusionApi(WorkflowApiMixin, BaseApi):
    resource_name = "requests"
    allow_browser_login = True
    class_permission_name = "Requests"
    base_permissions = ["can_read", "can_act"]
    openapi_spec_tag = "Conclusions"
    openapi_spec_component_schemas = (ConclusionSchema,)

    def _visible(self, request_id):
        return find_visible_request(db.session, g.user, request_id)

    def _done(self, consultation, status=200):
        db.session.refresh(consultation)
        body = {"status": consultation.status, "documents": documents_json(consultation)}
        if consultation.conclusion is not None:
            body["conclusion"] = conclusion_json(consultation.conclusion)
        return self.response(status, result=body)

    def _run(self, request_id, step):
        """Find the visible request, run a workflow step on it, answer with the request's documents."""
        consultation = self._visible(request_id)
        if consultation is None:
            return self.response_404()
        try:
            step(consultation)
        except WorkflowError as error:
            db.session.rollback()
            return self._workflow_error(error)
        return self._done(consultation)

    @expose("/<int:request_id>/conclusion", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def get(self, request_id):
        """The conclusion's form, its state and the request's documents.
        ---
        get:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          responses:
            200: {description: "{status, conclusion, documents}"}
            404: {description: "no such request, or the user may not see it"}
        """
        consultation = self._visible(request_id)
        if consultation is None:
            return self.response_404()
        return self._done(consultation)

    @expose("/<int:request_id>/conclusion", methods=["PUT"])
    @protect()
    @safe
    @permission_name("act")
    def put(self, request_id):
        """Save the conclusion's form (the consultant of a request in work).
        ---
        put:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/ConclusionSchema'
          responses:
            200: {description: "the saved form"}
            404: {description: "no such request, or the user may not see it"}
            409: {description: "not the consultant, or the request is not in work"}
            422: {description: "missing or wrong fields, with Russian messages per field"}
        """
        if self._visible(request_id) is None:  # who may not see the request learns nothing of its form
            return self.response_404()
        body, failure = self._json(ConclusionSchema())
        if failure:
            return failure
        return self._run(request_id, lambda r: flow.save_form(g.user, r, flow.ConclusionData(**body)))

    @expose("/<int:request_id>/conclusion/render", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def render(self, request_id):
        """Render the saved form to PDF and DOCX; the request moves to signing. With Redis the rendering is
        a job: the answer has state "rendering" and GET …/conclusion tells when it is "ready".
        ---
        post:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          responses:
            200: {description: "{status, conclusion: {state}, documents}"}
            404: {description: "no such request, or the user may not see it"}
            409: {description: "not the consultant, or the request is not in work"}
            422: {description: "the saved form lacks required fields"}
        """
        def render(consultation):
            if consultation.conclusion is None:
                raise InvalidInput(_l("Save the conclusion's form first (PUT …/conclusion)"))
            flow.start_rendering(g.user, consultation, flow.form_of(consultation))
        return self._run(request_id, render)

    @expose("/<int:request_id>/conclusion/signature", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def signature(self, request_id):
        """A detached CMS signature (DER, PEM or base64) of the rendered PDF; verified, then the request
        is completed.
        ---
        post:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema: {type: object, properties: {file: {type: string, format: binary}}}
              application/pkcs7-signature:
                schema: {type: string, format: binary}
          responses:
            200: {description: "the completed request's documents with the signature"}
            404: {description: "no such request, or the user may not see it"}
            409: {description: "not the consultant, or the conclusion is not awaiting signing"}
            422: {description: "not a signature, a signature of another document, or a certificate not valid"}
        """
        return self._run(request_id, lambda r: flow.sign(g.user, r, _uploaded_file()[1]))

    @expose("/<int:request_id>/conclusion/skip_signature", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def skip_signature(self, request_id):
        """Complete the request without an electronic signature (optional for now).
        ---
        post:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          responses:
            200: {description: "the completed request's documents"}
            404: {description: "no such request, or the user may not see it"}
            409: {description: "not the consultant, or the conclusion is not awaiting signing"}
        """
        return self._run(request_id, lambda r: flow.skip_signature(g.user, r))

    @expose("/<int:request_id>/conclusion/scan", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def scan(self, request_id):
        """A scan of a conclusion signed by hand (PDF, JPEG, PNG) instead of the form; completes the request.
        ---
        post:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema: {type: object, properties: {file: {type: string, format: binary}}}
          responses:
            200: {description: "the completed request's documents"}
            404: {description: "no such request, or the user may not see it"}
            409: {description: "not the consultant, or the request is not in work"}
            422: {description: "no file, or not a PDF/JPEG/PNG"}
        """
        def upload(consultation):
            name, data = _uploaded_file()
            flow.upload_scan(g.user, consultation, name or "scan", data)
        return self._run(request_id, upload)

    @expose("/<int:request_id>/documents", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def documents(self, request_id):
        """The request's documents: attachments, conclusions, scans, signatures.
        ---
        get:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          responses:
            200: {description: "[{id, kind, name, content_type, size, sha256, signatures, urls: {download, pdf, docx, zip}}]"}
            404: {description: "no such request, or the user may not see it"}
        """
        consultation = self._visible(request_id)
        if consultation is None:
            return self.response_404()
        return self.response(200, result=documents_json(consultation))

    @expose("/<int:request_id>/documents/<int:document_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def document(self, request_id, document_id):
        """One document of the request (an attachment, the conclusion's PDF or DOCX, a scan, a signature).
        ---
        get:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          - {in: path, name: document_id, required: true, schema: {type: integer}}
          responses:
            200: {description: "the file, with an RFC 6266 Content-Disposition"}
            404: {description: "no such document of this request, or the user may not see the request"}
        """
        document = readable_request_document(db.session, g.user, self._visible(request_id), document_id)
        if document is None:
            return self.response_404()
        audit(g.user, "download", "document", document.id)
        return send_document(document, inline=False)

    @expose("/<int:request_id>/conclusion/zip", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def archive(self, request_id):
        """The conclusion (PDF or scan) with each of its signatures as .sgn, in a zip.
        ---
        get:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          responses:
            200: {description: "application/zip"}
            404: {description: "no conclusion yet, or the user may not see the request"}
        """
        consultation = self._visible(request_id)
        if consultation is None or not has_archive(consultation):
            return self.response_404()
        return send_conclusion_zip(consultation)
