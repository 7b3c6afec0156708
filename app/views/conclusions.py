"""Finishing a consultation in the browser (manual §3.6): the conclusion form, its rendering progress,
the signing window, the scan upload, and the zip of the conclusion with its signatures."""
from pathlib import Path

from flask import abort, current_app, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from wtforms import RadioField, StringField, TextAreaField

from app.conclusions.archive import has_archive, send_conclusion_zip
from app.extensions import db
from app.models import CONCLUSION_TEXTS, MODE_LABELS
from app.schemas.base import flat_messages, load_partial, max_length
from app.schemas.conclusions import ConclusionSchema
from app.security.requests import visible_request_or_404
from app.workflow import conclusions as flow
from app.core.errors import InvalidInput, WorkflowError
from app.workflow.rules import may_conclude, may_sign, may_upload_scan

# CryptoPro's own loader of its browser plug-in; its licence does not let us ship it, so a hospital's
# administrator puts it here (app/static/vendor/README.md) and the signing window loads it when present
CADESPLUGIN_SCRIPT = "vendor/cadesplugin/cadesplugin_api.js"


class ConclusionForm(DynamicForm):
    answer = TextAreaField(CONCLUSION_TEXTS["answer"])
    condition = TextAreaField(CONCLUSION_TEXTS["condition"])
    # the inputs' maxlength from the conclusion's schema
    diagnosis_code = StringField(_l("ICD-10 code"),
                                 render_kw={"maxlength": max_length(ConclusionSchema, "diagnosis_code")})
    diagnosis_text = StringField(_l("Main diagnosis"),
                                 render_kw={"maxlength": max_length(ConclusionSchema, "diagnosis_text")})
    concomitant = TextAreaField(CONCLUSION_TEXTS["concomitant"])
    recommendations_diagnostics = TextAreaField(_l("Further diagnostics"))
    recommendations_treatment = TextAreaField(_l("Treatment"))
    recommendations_transfer = TextAreaField(_l("Transfer (evacuation)"))
    recommendations_in_person = TextAreaField(_l("In-person consultation"))
    documents_reviewed = TextAreaField(CONCLUSION_TEXTS["documents_reviewed"])
    mode = RadioField(_l("Mode actually used"), choices=list(MODE_LABELS.items()), validate_choice=False)

    def to_data(self) -> flow.ConclusionData:
        """The form's data loaded through the API's schema (app/schemas/conclusions.py); a draft may be
        incomplete."""
        try:
            loaded = load_partial(ConclusionSchema(), {name: getattr(self, name).data for name in flow.FIELDS})
        except ValidationError as error:
            raise InvalidInput(_l("Correct the marked fields"), fields=flat_messages(error.messages)) from None
        return flow.ConclusionData(**loaded)


class ConclusionView(BaseView):
    route_base = "/requests"
    class_permission_name = "Requests"
    base_permissions = ["can_read", "can_act"]

    def _request_or_404(self, request_id):
        return visible_request_or_404(db.session, g.user, request_id)

    def _back(self, consultation):
        return redirect(url_for("RequestsView.show", request_id=consultation.id))

    @expose("/<int:request_id>/conclusion", methods=["GET", "POST"])
    @has_access
    @permission_name("act")
    def form(self, request_id):
        """«Сформировать заключение»: save the draft of the form, or render it."""
        consultation = self._request_or_404(request_id)
        if not may_conclude(g.user, consultation):
            flash(_("The conclusion is filled by the consultant of a request in work"), "warning")
            return self._back(consultation)
        form = ConclusionForm(request.form) if request.method == "POST" else ConclusionForm(obj=flow.form_of(consultation))
        if request.method == "POST" and form.validate():
            try:
                if request.form.get("render"):
                    conclusion = flow.start_rendering(g.user, consultation, form.to_data())
                    return self._after_render_started(consultation, conclusion)
                flow.save_form(g.user, consultation, form.to_data())
                flash(_("The draft of the conclusion has been saved"), "success")
                return redirect(url_for("ConclusionView.form", request_id=consultation.id))
            except WorkflowError as error:
                flash(error.message, "danger")
                for name, message in error.fields.items():
                    getattr(form, name).errors = [message]
        return self.render_template("conclusions/form.html", r=consultation, form=form, required=flow.REQUIRED,
                                    conclusion=consultation.conclusion)

    def _after_render_started(self, consultation, conclusion):
        if conclusion.state == "rendering":  # an RQ worker makes it: the progress page follows it
            return redirect(url_for("ConclusionView.progress", request_id=consultation.id))
        return self._after_render(consultation, conclusion)

    def _after_render(self, consultation, conclusion):
        if conclusion.state == "ready":
            flash(_("The conclusion has been prepared successfully"), "success")
            return redirect(url_for("ConclusionView.sign", request_id=consultation.id))
        flash(conclusion.error or _("The conclusion could not be prepared"), "danger")
        return redirect(url_for("ConclusionView.form", request_id=consultation.id))

    @expose("/<int:request_id>/conclusion/progress")
    @has_access
    @permission_name("read")
    def progress(self, request_id):
        consultation = self._request_or_404(request_id)
        conclusion = consultation.conclusion
        if conclusion is None:
            return self._back(consultation)
        if conclusion.state != "rendering":
            return self._after_render(consultation, conclusion)
        return self.render_template("conclusions/progress.html", r=consultation)

    @expose("/<int:request_id>/conclusion/state")
    @has_access
    @permission_name("read")
    def state(self, request_id):
        """What the progress page polls."""
        consultation = self._request_or_404(request_id)
        conclusion = consultation.conclusion
        return jsonify(state=conclusion.state if conclusion else "none",
                       next=url_for("ConclusionView.progress", request_id=consultation.id))

    @expose("/<int:request_id>/conclusion/sign")
    @has_access
    @permission_name("act")
    def sign(self, request_id):
        """The signing window: the CryptoPro plug-in if present, else a signature file, or «Пропустить»."""
        consultation = self._request_or_404(request_id)
        if not may_sign(g.user, consultation):
            return self._back(consultation)
        plugin_script = CADESPLUGIN_SCRIPT if (Path(current_app.static_folder) / CADESPLUGIN_SCRIPT).exists() else None
        return self.render_template("conclusions/sign.html", r=consultation, conclusion=consultation.conclusion,
                                    plugin_script=plugin_script)

    @expose("/<int:request_id>/conclusion/signature", methods=["POST"])
    @has_access
    @permission_name("act")
    def upload_signature(self, request_id):
        consultation = self._request_or_404(request_id)
        upload = request.files.get("file")
        try:
            flow.sign(g.user, consultation, upload.read() if upload else b"")
        except WorkflowError as error:
            flash(error.message, "danger")
            return redirect(url_for("ConclusionView.sign", request_id=consultation.id))
        flash(_("The conclusion is signed; work on the request has been completed"), "success")
        return self._back(consultation)

    @expose("/<int:request_id>/conclusion/skip", methods=["POST"])
    @has_access
    @permission_name("act")
    def skip(self, request_id):
        consultation = self._request_or_404(request_id)
        try:
            flow.skip_signature(g.user, consultation)
        except WorkflowError as error:
            flash(error.message, "danger")
        else:
            flash(_("Work on the request has been completed successfully"), "success")
        return self._back(consultation)

    @expose("/<int:request_id>/conclusion/scan", methods=["GET", "POST"])
    @has_access
    @permission_name("act")
    def scan(self, request_id):
        """«Загрузить заключение»: a scan signed by hand instead of the form (manual §3.6.2)."""
        consultation = self._request_or_404(request_id)
        if not may_upload_scan(g.user, consultation):
            return self._back(consultation)
        if request.method == "POST":
            upload = request.files.get("file")
            try:
                if upload is None or not upload.filename:
                    raise InvalidInput(_l("Choose the file of the scanned conclusion"))
                flow.upload_scan(g.user, consultation, upload.filename, upload.read())
            except WorkflowError as error:
                flash(error.message, "danger")
            else:
                flash(_("The conclusion has been uploaded; work on the request has been completed"), "success")
                return self._back(consultation)
        return self.render_template("conclusions/scan.html", r=consultation)

    @expose("/<int:request_id>/conclusion/zip")
    @has_access
    @permission_name("read")
    def download_zip(self, request_id):
        consultation = self._request_or_404(request_id)
        if not has_archive(consultation):
            abort(404)
        return send_conclusion_zip(consultation)
