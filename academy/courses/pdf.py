"""The certificate as a PDF, drawn by WeasyPrint from an HTML template.

The template asks for DejaVu Sans (on the machine through fontconfig): it covers every
Romanian letter (ă â î ș ț), and WeasyPrint embeds the glyphs it uses in the file.
Nothing is fetched: the template has no external address.
"""

from __future__ import annotations

from flask import render_template

from academy.core.urls import external_url
from academy.courses.models import Certificate


def certificate_pdf(certificate: Certificate) -> bytes:
    from weasyprint import HTML  # imported here: a heavy import only this download needs

    html = render_template(
        "courses/certificate_pdf.html",
        certificate=certificate,
        verify_url=external_url("courses.certificate", code=certificate.code),
    )
    return HTML(string=html).write_pdf()
