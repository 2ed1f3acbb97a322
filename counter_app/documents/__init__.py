"""Printed forms and reports (reportlab), Qt-free.

Public surface: the view models the app fills from its database, one ``render_*`` function per
form returning PDF bytes, the regulation-profile helpers and the QR payload reader used by the
scanning station. See :mod:`counter_app.documents.forms` for the form set per profile and
:mod:`counter_app.documents.qr` for the QR payload format.
"""

from counter_app.documents.forms import (
    RECEIPT_COPIES,
    form_title,
    render_apology,
    render_control_slip,
    render_form,
    render_receipt,
    render_refusal,
    render_register,
    render_stop_notice,
    render_supplement_request,
)
from counter_app.documents.model import (
    Agency,
    Applicant,
    ComponentLine,
    ComponentStatus,
    FeeLine,
    FormDossier,
    FormKind,
    HandoverResult,
    HandoverRow,
    RegisterRow,
    ReturnMethod,
)
from counter_app.documents.profiles import ND61_2018, ND118_2025, PROFILES, forms_for_profile, profile_for
from counter_app.documents.qr import parse_qr_payload, parse_qr_time

__all__ = [
    "ND61_2018",
    "ND118_2025",
    "PROFILES",
    "RECEIPT_COPIES",
    "Agency",
    "Applicant",
    "ComponentLine",
    "ComponentStatus",
    "FeeLine",
    "FormDossier",
    "FormKind",
    "HandoverResult",
    "HandoverRow",
    "RegisterRow",
    "ReturnMethod",
    "form_title",
    "forms_for_profile",
    "parse_qr_payload",
    "parse_qr_time",
    "profile_for",
    "render_apology",
    "render_control_slip",
    "render_form",
    "render_receipt",
    "render_refusal",
    "render_register",
    "render_stop_notice",
    "render_supplement_request",
]
