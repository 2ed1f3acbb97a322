"""Printed forms and reports (reportlab), Qt-free.

Public surface: the view models the app fills from its database, one ``render_*`` function per
form returning PDF bytes, the regulation-profile helpers and the QR payload reader used by the
scanning station. See :mod:`counter_app.documents.forms` for the form set per profile and
:mod:`counter_app.documents.qr` for the QR payload format.
"""

from importlib import import_module
from typing import Any

# Names are resolved on first use (PEP 562): importing a light module such as
# ``counter_app.documents.model`` must not load reportlab (~0.2 s) while the window is opening.
_WHERE = {
    **dict.fromkeys(("RECEIPT_COPIES", "form_title", "render_apology", "render_control_slip", "render_form",
                     "render_receipt", "render_refusal", "render_register", "render_stop_notice",
                     "render_supplement_request"), "forms"),
    **dict.fromkeys(("Agency", "Applicant", "ComponentLine", "ComponentStatus", "FeeLine", "FormDossier",
                     "FormKind", "HandoverResult", "HandoverRow", "RegisterRow", "ReturnMethod"), "model"),
    **dict.fromkeys(("ND61_2018", "ND118_2025", "PROFILES", "form_label", "form_number", "form_profile_for",
                     "forms_for_profile", "profile_for"), "profiles"),
    **dict.fromkeys(("parse_qr_payload", "parse_qr_time"), "qr"),
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"counter_app.documents.{module}"), name)


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
    "form_label",
    "form_number",
    "form_profile_for",
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
