"""Refill a QTableWidget with coloured items many times — the pattern every table in the app uses.

PySide6 6.12.0 aborts the process here ("Fatal Python error: none_dealloc"); run as a child process by
tests/ui/test_qt_table_stress.py and by ``python3 dev.py upgrade`` so that an abort fails one test, not the run.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem


def main(rounds: int = 200, rows: int = 300, cols: int = 6) -> int:
    """Refill the table ``rounds`` times; exit 0 if the process survives."""
    app = QApplication.instance() or QApplication(sys.argv)
    table = QTableWidget()
    table.show()
    red = QBrush(QColor("#b00020"))
    for r in range(rounds):
        table.setRowCount(0)
        table.setRowCount(rows)
        table.setColumnCount(cols)
        n = 0
        for i in range(rows):
            for j in range(cols):
                item = QTableWidgetItem(f"{r}:{i}:{j}")
                n += 1
                if n % 7 == 0:
                    item.setForeground(red)
                table.setItem(i, j, item)
        app.processEvents()
    print(f"ok {rounds} rounds of {rows}x{cols}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*(int(a) for a in sys.argv[1:])))
