"""Main window: navigation, pages, status bar (officer, agency, sync state)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from counter_app.paths import DataDir
from counter_app.services.session import Actor, require_actor
from counter_app.services.status import StatusSnapshot, status_snapshot
from counter_app.ui.backups import BackupScheduler
from counter_app.ui.dossier_list import DossierListPage
from counter_app.ui.qt import (
    QCloseEvent,
    QGuiApplication,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QShortcut,
    QSize,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from counter_app.ui.reception import ReceptionPage
from counter_app.ui.scan_station import ScanStationPage
from counter_app.ui.settings_page import SettingsPage
from counter_app.ui.sync_page import SyncPage, SyncRunner, bar_text
from counter_app.ui.tasks import DbWorker

NAV = [
    ("reception", "Tiếp nhận", "F2"),
    ("dossiers", "Hồ sơ", "F3"),
    ("scanning", "Số hóa", "F4"),
    ("sync", "Đồng bộ", "F5"),
    ("supervision", "Giám sát", "F6"),
    ("settings", "Cài đặt", "F7"),
]

PLACEHOLDER_TEXT = {
}


class PlaceholderPage(QWidget):
    """A page a later release fills; says plainly what will be here."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        head = QLabel(f"<h2>{title}</h2><p>{text}</p><p><i>Chức năng này đang được hoàn thiện.</i></p>")
        head.setWordWrap(True)
        head.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(head)


class StartupScreen(QWidget):
    """A neutral window shown from the first instant until an officer is logged in (issue #14).

    The full main window (with «Giám sát» and «Cài đặt») used to show behind the setup, unlock and
    log-in dialogs, to anyone passing the counter; and nothing moved for seconds after «Bắt đầu sử
    dụng». This shows only the app's name, what is happening and a busy bar that moves at once.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Quầy Một Cửa")
        self.setObjectName("startupScreen")
        self.setStyleSheet("#startupScreen { background: #f4f6f8; }")
        title = QLabel("<h2>Quầy Một Cửa</h2>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel("Đang khởi động…")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # indeterminate: it moves while the worker does the job
        self.bar.setTextVisible(False)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        lay.addWidget(title)
        lay.addWidget(self.text)
        lay.addWidget(self.bar)
        lay.addStretch(1)
        self.resize(460, 220)

    def busy(self, text: str) -> None:
        """Say what is being done now (the bar keeps moving)."""
        self.text.setText(text)
        self.bar.show()

    def idle(self, text: str) -> None:
        """Waiting for the officer (a dialog is open): no busy bar."""
        self.text.setText(text)
        self.bar.hide()


class MainWindow(QMainWindow):
    """The application window."""

    def __init__(self, worker: DbWorker, data_dir: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.data_dir = data_dir
        self.started = False
        self.setWindowTitle("Quầy Một Cửa")
        self.resize(1280, 800)
        self.nav = QListWidget()
        self.nav.setFixedWidth(180)
        # Pages are reached with F2–F7; a focused list would swallow typed text (its type-ahead
        # jumps to the item starting with that letter), so it never takes keyboard focus.
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setStyleSheet("QListWidget{font-size:15px;} QListWidget::item{padding:10px 8px;}")
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        self.dossiers = DossierListPage(worker, data_root=Path(data_dir))
        # Ctrl+N belongs to the window alone: a second QShortcut on the page made it ambiguous and Qt
        # fired neither (issue #14).
        self.reception = ReceptionPage(worker, Path(data_dir), new_shortcut=False)
        self.reception.received.connect(lambda _id: (self.dossiers.refresh(), self.refresh_status()))
        self.sync_runner = SyncRunner(DataDir(Path(data_dir)), self)
        self.sync_page = SyncPage(worker, self.sync_runner)
        self.sync_runner.pass_done.connect(self._sync_pass_done)
        self.reception.received.connect(lambda _id: self.sync_runner.wake())
        self.scanning = ScanStationPage(worker, Path(data_dir))
        self.scanning.saved.connect(lambda _id: (self.dossiers.refresh(), self.sync_runner.wake()))
        self.dossiers.scan_requested.connect(self.scan_dossier)
        # The supervisor's desk (QtCharts, numpy figures) is built the first time it is opened:
        # officers never open it, and it would add a quarter of a second to every start.
        self.supervision: Any = None
        self.supervision_holder = QWidget()
        QVBoxLayout(self.supervision_holder).setContentsMargins(0, 0, 0, 0)
        self.settings_page = SettingsPage(worker)
        # One scheduler for the timer and the «Sao lưu ngay» button: never two backups at once.
        self.backup_scheduler = BackupScheduler(worker, DataDir(Path(data_dir)), self)
        self.settings_page.backup_panel.attach(self.backup_scheduler)
        self.settings_page.backup_panel.restart_requested.connect(self.close)
        self.user: Any = None
        for key, title, shortcut in NAV:
            if key == "dossiers":
                page: QWidget = self.dossiers
            elif key == "reception":
                page = self.reception
            elif key == "scanning":
                page = self.scanning
            elif key == "sync":
                page = self.sync_page
            elif key == "supervision":
                page = self.supervision_holder
            elif key == "settings":
                page = self.settings_page
            else:
                page = PlaceholderPage(title, PLACEHOLDER_TEXT[key])
            self.pages[key] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(f"{title}   ({shortcut})")
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
            sc = QShortcut(QKeySequence(shortcut), self)
            sc.activated.connect(lambda k=key: self._shortcut_page(k))
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.currentRowChanged.connect(self._page_shown)
        self.nav.itemClicked.connect(lambda item: self.show_page(item.data(Qt.ItemDataRole.UserRole), focus=True))
        central = QWidget()
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.nav)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.activated.connect(self._focus_search)
        new = QShortcut(QKeySequence("Ctrl+N"), self)
        new.activated.connect(self.new_dossier)

        self.officer_label = QLabel("Cán bộ: —")
        self.agency_label = QLabel("Cơ quan: —")
        self.sync_label = QLabel("Đồng bộ: —")
        self.backup_label = QLabel()
        self.backup_label.setVisible(False)
        # Long texts here must not widen the window past a 1024-px screen (issue #14: a backup warning
        # made it 1288 px): each label may be cut short; its tooltip has the whole text.
        for label, least in ((self.agency_label, 80), (self.backup_label, 160), (self.sync_label, 220)):
            label.setMinimumWidth(least)
        self.backup_scheduler.status_changed.connect(self._show_backup_status)
        sb = self.statusBar()
        sb.addWidget(self.officer_label)
        # Officers do not see the settings page: their own password is changed from here.
        self.password_button = self.settings_page.users_panel.make_own_password_button()
        self.password_button.setVisible(False)  # until someone logs in
        sb.addWidget(self.password_button)
        sb.addWidget(self.agency_label, 1)
        sb.addPermanentWidget(self.backup_label)
        sb.addPermanentWidget(self.sync_label)
        self._status_timer = QTimer(self, interval=30_000)
        self._status_timer.timeout.connect(self.refresh_status)
        self.nav.setCurrentRow(0)

    def _sync_pass_done(self, report: Any) -> None:
        self.refresh_status()
        self.sync_page.refresh()
        self.dossiers.refresh_counts()
        if getattr(report, "catalogue_updated", 0):
            # The province changed procedures: the next dossier must be typed against them, or the
            # reception page would send components the stored procedure no longer has.
            self.reception.refresh(background=True)

    def _shortcut_page(self, key: str) -> None:
        row = [k for k, _t, _s in NAV].index(key)
        if not self.nav.item(row).isHidden():
            self.show_page(key, focus=True)

    def show_page(self, key: str, focus: bool = False) -> None:
        """Switch to a page by key (and put the cursor where the officer types next)."""
        self.nav.setCurrentRow([k for k, _t, _s in NAV].index(key))
        if not focus:
            return
        if key == "dossiers":
            self.dossiers.search.setFocus()
        elif key == "reception":
            self.reception.focus_current_step()
        elif key == "scanning":
            self.scanning.dossier_input.setFocus()
        else:
            self.stack.currentWidget().setFocus()

    def _page_shown(self, row: int) -> None:
        # The dashboard is computed when a supervisor opens it, not at start (its first build at a
        # million dossiers takes seconds, in slices on the worker).
        if 0 <= row < len(NAV) and NAV[row][0] == "supervision" and self.started:
            self._ensure_supervision().refresh()

    def _ensure_supervision(self) -> Any:
        if self.supervision is None:
            from counter_app.ui.guidance import OnlineFiguresPanel
            from counter_app.ui.login import AuditPanel
            from counter_app.ui.supervision import SupervisionPage

            self.supervision = SupervisionPage(self.worker, Path(self.data_dir),
                                               user_id=self.user.id if self.user else None)
            self.supervision.tabs.addTab(OnlineFiguresPanel(self.worker), "Nộp trực tuyến")
            self.audit_panel = AuditPanel(self.worker)
            self.supervision.tabs.addTab(self.audit_panel, "Nhật ký kiểm tra")
            self.supervision.scan_requested.connect(self.scan_dossier)
            self.supervision_holder.layout().addWidget(self.supervision)
        return self.supervision

    def set_user(self, user: Any) -> None:
        """Who is working now: their name in the status bar, their id on every record, their pages."""
        from counter_app.ui.roles import visible_pages

        self.user = user
        # The one place the signed-in user is injected: every operation that records an actor reads it
        # from the worker and passes it explicitly (services.session.require_actor refuses ``None``).
        self.actor: Actor = require_actor(user)
        self.worker.actor = self.actor
        self.officer_label.setText(f"Cán bộ: {user.full_name}")
        self.password_button.setVisible(True)
        self.scanning.set_actor(user)  # scans are recorded and signed under the signed-in officer
        if self.started:
            self.scanning.load_rescan_tasks()
        if self.supervision is not None:
            self.supervision.user_id = user.id
        from counter_app.ui.roles import can_edit_settings

        self.settings_page.user_id = user.id
        self.settings_page.set_editable(can_edit_settings(user.role))
        self.sync_page.set_editable(can_edit_settings(user.role))
        self.settings_page.backup_panel.set_user(user)
        self.settings_page.users_panel.set_user(user)
        self.backup_scheduler.set_user(user)
        self.backup_scheduler.start()  # scheduled backups run whoever is logged in
        allowed = visible_pages(user.role)
        for row, (key, _title, _sc) in enumerate(NAV):
            self.nav.item(row).setHidden(key not in allowed)
        if NAV[self.nav.currentRow()][0] not in allowed:
            self.show_page("reception")

    def new_dossier(self) -> None:
        """Ctrl+N anywhere: a new dossier on the reception page."""
        self.show_page("reception")
        self.reception.new_dossier()

    def scan_dossier(self, dossier_id: int) -> None:
        """Open the scanning station on a dossier (from its detail)."""
        self.show_page("scanning")
        self.scanning.select_dossier(dossier_id)

    def _focus_search(self) -> None:
        self.show_page("dossiers")
        self.dossiers.search.setFocus()
        self.dossiers.search.selectAll()

    def start(self) -> None:
        """Load everything the window shows (all on the database worker)."""
        self.started = True
        self.refresh_status()
        self.dossiers.refresh()
        self.reception.refresh()
        self.scanning.refresh()
        self.sync_page.refresh()
        self.settings_page.refresh()
        self.settings_page.backup_panel.refresh()
        if not getattr(self, "no_background_sync", False):
            self.sync_runner.start()
        self._status_timer.start()

    def refresh_status(self) -> None:
        """Update the status bar from the database."""
        data_dir = self.data_dir
        self.worker.submit(lambda cdb: status_snapshot(cdb, data_dir), self._show_status)

    def _show_status(self, s: StatusSnapshot) -> None:
        if self.user is None:
            self.officer_label.setText("Cán bộ: — (chưa đăng nhập)")
        self.agency_label.setText(f"{s.agency_name or ''} ({s.agency_code or 'chưa cài đặt'})")
        self.agency_label.setToolTip(self.agency_label.text())
        text, colour, tip = bar_text(s.sync)
        self.sync_label.setText(text)
        self.sync_label.setToolTip(tip)
        self.sync_label.setStyleSheet(f"color:{colour}")
        self.settings_page.show_settings(s.as_dict())

    def _show_backup_status(self, text: str, level: str) -> None:
        # Long warnings (a folder path, what to do) are cut in the bar; the tooltip has all of it.
        self.backup_label.setText(text if len(text) <= 110 else text[:107] + "…")
        self.backup_label.setToolTip(text)
        self.backup_label.setStyleSheet({"warn": "color:#c62828; font-weight:bold", "busy": "color:#1565c0",
                                         "ok": "color:#2e7d32"}.get(level, ""))
        self.backup_label.setVisible(bool(text))

    def show_fitted(self) -> None:
        """Show the window inside the screen's free area.

        Ward PCs often have 1366×768 screens with a 40-pixel taskbar: a fixed 1280×800 window would
        put the status bar (sync state, backups, who is logged in) below the edge. Small screens get
        the window maximised; larger ones keep the default 1280×800.
        """
        screen = self.screen() or QGuiApplication.primaryScreen()
        avail = screen.availableGeometry() if screen is not None else None
        if avail is None or (avail.width() >= 1400 and avail.height() >= 860):
            self.show()
            return
        # A window manager maximises; without one (or before it acts) the size is fitted by hand.
        self.setGeometry(avail)
        self.showMaximized()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop timers; the composition root stops the worker after the loop ends."""
        self._status_timer.stop()
        self.sync_runner.stop()
        self.backup_scheduler.stop()  # a running backup stops at its next file, leaving no partial folder
        self.scanning.shutdown()
        super().closeEvent(event)
