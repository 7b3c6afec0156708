"""Render a consultation conclusion: `render_pdf(content)` and `render_docx(content)` return the bytes."""
from app.conclusions.content import ConclusionContent
from app.conclusions.render_docx import render_docx
from app.conclusions.render_pdf import render_pdf

__all__ = ["ConclusionContent", "render_docx", "render_pdf"]
