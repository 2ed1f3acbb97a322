"""Which pages each role sees (officer: own work; supervisor: the whole centre; admin: settings, users).

Page keys are those of ``counter_app.ui.main_window.NAV``. The supervisor sees the settings page
read-only; editing settings and users is the admin's (:func:`can_edit_settings`).
"""

from __future__ import annotations

__all__ = ["ALL_PAGES", "ROLES", "can_edit_settings", "can_review", "visible_pages"]

ALL_PAGES = frozenset({"reception", "dossiers", "scanning", "sync", "supervision", "settings"})
ROLES = ("officer", "supervisor", "admin")
_OFFICER_PAGES = frozenset({"reception", "dossiers", "scanning", "sync"})


def visible_pages(role: str) -> set[str]:
    """Pages shown to a role; an unknown role gets the officer's (least) set."""
    if role == "admin":
        return set(ALL_PAGES)
    if role == "supervisor":
        return set(ALL_PAGES)  # settings shown read-only, see can_edit_settings
    return set(_OFFICER_PAGES)


def can_edit_settings(role: str) -> bool:
    """Only the admin edits agency settings, users and the calendar."""
    return role == "admin"


def can_review(role: str) -> bool:
    """Quality review of digitised components: supervisors (and the admin)."""
    return role in ("supervisor", "admin")
