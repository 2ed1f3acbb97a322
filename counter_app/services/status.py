"""The status-bar snapshot: which agency this counter is, how sync stands, what the settings page summarises.

Who is working is **not** read here: the main window shows the signed-in user it holds (there used to
be a query for "the first officer account", which named the wrong person once sign-in existed).
"""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.db.database import CounterDB
from counter_app.db.settings import AgencySettings, SyncSettings
from counter_app.services.sync_control import SyncBarStatus, bar_status

__all__ = ["StatusSnapshot", "status_snapshot"]


@dataclass(frozen=True)
class StatusSnapshot:
    """What the status bar and the settings summary show, read in one job on the database worker."""

    agency_code: str
    agency_name: str
    parent_name: str
    workstation_slot: int
    provincial_endpoint: str
    procedures: int
    data_dir: str
    sync: SyncBarStatus

    def as_dict(self) -> dict[str, object]:
        """The installation summary as the settings page's ``show_settings`` reads it."""
        return {"agency_code": self.agency_code, "agency_name": self.agency_name, "parent_name": self.parent_name,
                "workstation_slot": self.workstation_slot, "provincial_endpoint": self.provincial_endpoint,
                "procedures": self.procedures, "data_dir": self.data_dir}


def status_snapshot(cdb: CounterDB, data_dir: str) -> StatusSnapshot:
    """Agency, workstation, provincial endpoint, the number of active procedures and the sync state."""
    agency = AgencySettings.load(cdb)
    return StatusSnapshot(
        agency_code=agency.agency_code,
        agency_name=agency.agency_name,
        parent_name=agency.parent_name,
        workstation_slot=agency.workstation_slot,
        provincial_endpoint=SyncSettings.load(cdb).endpoint,
        procedures=int(cdb.scalar("SELECT count(*) FROM procedures WHERE active = 1") or 0),
        data_dir=data_dir,
        sync=bar_status(cdb),
    )
