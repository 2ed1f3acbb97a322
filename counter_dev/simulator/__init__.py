"""Simulator of the provincial one-stop system (DOMAIN §4), for development, demos and tests.

Run it with ``python -m counter_dev.simulator --port 0 --data DIR``; it prints
``READY port=<port> ...`` once listening. The protocol it speaks is in ``docs/simulator.md`` and
its constants in :mod:`counter_app.sync.protocol`. Nothing here imports Qt.
"""

from __future__ import annotations

from counter_dev.simulator.faults import FaultConfig
from counter_dev.simulator.processing import ProcessingConfig
from counter_dev.simulator.server import Simulator, SimulatorConfig, build
from counter_dev.simulator.store import SimulatorStore

__all__ = ["FaultConfig", "ProcessingConfig", "Simulator", "SimulatorConfig", "SimulatorStore", "build"]
