"""The one module that imports PySide6: pin and read the GUI's dependencies in one place."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    QSize,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QCloseEvent, QColor, QFont, QIcon, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QStatusBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "QAbstractItemView", "QAbstractTableModel", "QAction", "QApplication", "QCheckBox", "QCloseEvent",
    "QColor", "QComboBox", "QDialog", "QDialogButtonBox", "QEvent", "QFont", "QFormLayout", "QFrame",
    "QGridLayout", "QGroupBox", "QHBoxLayout", "QHeaderView", "QIcon", "QKeySequence", "QLabel",
    "QLineEdit", "QListWidget", "QListWidgetItem", "QMainWindow", "QMessageBox", "QModelIndex", "QObject",
    "QPalette", "QPersistentModelIndex", "QProgressBar", "QProgressDialog", "QPushButton", "QRunnable",
    "QShortcut", "QSize", "QSizePolicy", "QSpinBox", "QStackedWidget", "QStatusBar", "QTableView", "QThread",
    "QThreadPool", "QTimer", "QVBoxLayout", "QWidget", "Qt", "Signal", "Slot",
]
