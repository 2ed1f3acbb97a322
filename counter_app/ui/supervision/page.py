"""Page «Giám sát»: the month selector, the indicator cards, the tabs, refresh and the monthly report.

Every figure comes from :mod:`counter_app.reports` on the database worker; PDF rendering (report,
scan preview) runs in the thread pool. Widgets only display results; each tab is its own module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.reports import indicators as ind
from counter_app.reports import monthly, ward
from counter_app.ui.errors import show_exception
from counter_app.ui.qt import (
    QComboBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QPushButton,
    QShortcut,
    Qt,
    QTableWidget,
    QTabWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from counter_app.ui.supervision.backlog import BacklogTab
from counter_app.ui.supervision.common import IndicatorCard, n
from counter_app.ui.supervision.deadlines import DeadlineTab
from counter_app.ui.supervision.overview import OverviewTab
from counter_app.ui.supervision.review import ReviewTab
from counter_app.ui.supervision.ward import WardTab, notice_html
from counter_app.ui.tasks import DbWorker, run_in_pool

log = logging.getLogger(__name__)

__all__ = ["AUTO_REFRESH_MS", "SupervisionPage"]

AUTO_REFRESH_MS = 120_000


class SupervisionPage(QWidget):
    """The supervisor's page: indicator cards above the tabs (see the package docstring)."""

    scan_requested = Signal(int)
    refreshed = Signal()
    report_saved = Signal(object)  # Path

    def __init__(self, worker: DbWorker, data_root: Path, parent: QWidget | None = None, *,
                 user_id: int | None = None, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)
        self.worker, self.data_root = worker, data_root
        self.user_id = user_id  # the signed-in supervisor: reviews are recorded under them
        self.clock = clock or (lambda: datetime.now().replace(microsecond=0))
        self.dash: ind.Dashboard | None = None
        self.no_preview = False  # tests: do not open the print preview
        self._generation = 0
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 8)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#fff4d6; border:1px solid #e0b44c; padding:6px; font-size:13px;")
        self.banner.hide()
        root.addWidget(self.banner)

        top = QHBoxLayout()
        title = QLabel("<b style='font-size:17px'>Giám sát</b>")
        top.addWidget(title)
        top.addSpacing(12)
        month_label = QLabel("&Tháng:")
        top.addWidget(month_label)
        self.month = QComboBox()
        month_label.setBuddy(self.month)
        self._fill_months()
        self.month.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.month)
        # Whose figures the cards and lists show (issue #19); hidden until other counters' data is here.
        self.scope_label = QLabel("Phạ&m vi:")
        self.scope = QComboBox()
        self.scope_label.setBuddy(self.scope)
        self.scope.setToolTip("Số liệu của quầy này, của toàn phường hoặc của một quầy khác (dữ liệu từ tỉnh)")
        self.scope.addItem("Quầy này", "")
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())
        for w in (self.scope_label, self.scope):
            w.hide()
            top.addWidget(w)
        self.refresh_btn = QPushButton("Làm mới")
        self.refresh_btn.clicked.connect(lambda: self.refresh())
        top.addWidget(self.refresh_btn)
        top.addStretch(1)
        self.status = QLabel("Đang tính…")
        self.status.setStyleSheet("color:#555;")
        top.addWidget(self.status)
        self.pdf_btn = QPushButton("Báo cáo tháng (PDF)")
        self.pdf_btn.clicked.connect(lambda: self.export_pdf())
        self.csv_btn = QPushButton("Dữ liệu (CSV)")
        self.csv_btn.clicked.connect(lambda: self.export_csv())
        top.addWidget(self.pdf_btn)
        top.addWidget(self.csv_btn)
        root.addLayout(top)

        self.ward_notice = QLabel()
        self.ward_notice.setWordWrap(True)
        self.ward_notice.setStyleSheet("background:#fdecea; border:1px solid #d9a19c; padding:6px; font-size:13px;")
        self.ward_notice.hide()
        root.addWidget(self.ward_notice)

        cards = QHBoxLayout()
        self.cards = {d.key: IndicatorCard(d) for d in ind.INDICATORS}
        for c in self.cards.values():
            cards.addWidget(c)
        root.addLayout(cards)

        self.tabs = QTabWidget()
        root.addWidget(self.tabs, 1)
        self.overview_tab = OverviewTab()
        self.backlog_tab = BacklogTab(self)
        self.deadline_tab = DeadlineTab(self)
        self.review_tab = ReviewTab(self)
        self.ward_tab = WardTab(self)
        self.tabs.addTab(self.overview_tab, "Tổng quan")
        self.tabs.addTab(self.ward_tab, "Các quầy")
        self.tabs.setTabVisible(1, False)
        self.tabs.addTab(self.backlog_tab, "Tồn số hóa")
        self.tabs.addTab(self.deadline_tab, "Hạn giải quyết")
        self.tabs.addTab(self.review_tab, "Kiểm tra chất lượng")

        # The keyboard reaches every tab (issue #14: officers work by keyboard): Ctrl+PgDown / Ctrl+PgUp
        # as in browsers, wherever the focus is on the page; the tab's first list takes the focus.
        for keys, step in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
            QShortcut(QKeySequence(keys), self).activated.connect(lambda step=step: self.next_tab(step))

        self._timer = QTimer(self, interval=AUTO_REFRESH_MS)
        self._timer.timeout.connect(lambda: self.refresh())

    def next_tab(self, step: int = 1) -> None:
        """Go to the next (``step`` 1) or previous (-1) visible tab and focus its first list."""
        count = self.tabs.count()
        i = self.tabs.currentIndex()
        for _ in range(count):
            i = (i + step) % count
            if self.tabs.isTabVisible(i):
                break
        self.tabs.setCurrentIndex(i)
        page = self.tabs.widget(i)
        tables = page.findChildren(QTableWidget) if page is not None else []
        (tables[0] if tables else self.tabs.tabBar()).setFocus()

    def _fill_months(self) -> None:
        now = self.clock()
        self.month.blockSignals(True)
        self.month.clear()
        for y, m in reversed(ind.months_back(now.year, now.month, 13)):
            self.month.addItem(f"{m:02d}/{y}", (y, m))
        self.month.blockSignals(False)

    # --- refresh ---------------------------------------------------------------------------------
    def selected_month(self) -> tuple[int, int]:
        """(year, month) chosen in the month box."""
        data = self.month.currentData()
        if data is None:
            now = self.clock()
            return now.year, now.month
        return int(data[0]), int(data[1])

    def selected_scope(self) -> str | None:
        """'' this counter, a counter id, None the whole ward (the «Phạm vi» box)."""
        data = self.scope.currentData()
        return "" if data is not None and not isinstance(data, str) else data

    def set_scope(self, owner: str | None) -> None:
        """Show one counter's figures ('' this one, None the ward) in the cards and the lists."""
        for i in range(self.scope.count()):
            if self.scope.itemData(i) == owner:
                self.scope.setCurrentIndex(i)  # refreshes
                return

    def _fill_scopes(self, d: ind.Dashboard) -> None:
        v = d.ward
        ward_here = v is not None and v.has_replicas
        for w in (self.scope_label, self.scope):
            w.setVisible(ward_here)
        self.tabs.setTabVisible(self.tabs.indexOf(self.ward_tab), ward_here)
        if v is None:
            return
        wanted: list[tuple[str, str | None]] = [("Quầy này", ""), ("Toàn phường", None)]
        wanted += [(c.name + (" ⚠" if c.stale else ""), c.owner) for c in v.counters if not c.is_self]
        have = [(self.scope.itemText(i), self.scope.itemData(i)) for i in range(self.scope.count())]
        if have == wanted:
            return
        current = self.selected_scope()
        self.scope.blockSignals(True)
        self.scope.clear()
        for text, owner in wanted:
            self.scope.addItem(text, owner)
        index = next((i for i, (_t, o) in enumerate(wanted) if o == current), 0)
        self.scope.setCurrentIndex(index)
        self.scope.blockSignals(False)

    def refresh(self) -> None:
        """Recompute everything on the database worker.

        The first time on a large database the facts are built slice by slice (one worker job
        per slice), so the other pages' database jobs keep running meanwhile.
        """
        self._generation += 1
        gen = self._generation
        y, m = self.selected_month()
        now = self.clock()
        scope = self.selected_scope()

        def job(cdb: CounterDB) -> Any:
            step = ind.FactsCache.for_db(cdb).build_step(cdb)
            if step is not None:
                return step
            return ind.dashboard(cdb, y, m, now=now, scope=scope)

        def done(result: Any) -> None:
            if gen != self._generation:
                return
            if isinstance(result, tuple):
                built, total = result
                self.status.setText(f"Đang tính số liệu lần đầu: {n(built)}/{n(total)} hồ sơ…")
                self.worker.submit(job, done, self._failed)
                return
            self._show(result, gen)

        if self.dash is None:
            self.status.setText("Đang tính…")
        self.worker.submit(job, done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText("Không tính được số liệu.")
        show_exception(self, exc)

    def showEvent(self, event: Any) -> None:
        """Refresh when the page appears and every two minutes while it is shown."""
        super().showEvent(event)
        self._timer.start()
        if self.dash is None:
            self.refresh()

    def hideEvent(self, event: Any) -> None:
        """Stop the auto-refresh while hidden."""
        super().hideEvent(event)
        self._timer.stop()

    def _show(self, d: ind.Dashboard, gen: int) -> None:
        if gen != self._generation:
            return
        self.dash = d
        f = d.figures
        # The build time is for developers (log), not for the supervisor's screen (issue #14).
        log.debug("dashboard built in %.0f ms", sum(d.timings_ms.values()))
        self.status.setText(f"Cập nhật {d.now:%H:%M:%S}")
        details = {
            "on_time": f"{n(f.on_time)}/{n(f.finished)} hồ sơ xong",
            "online": f"{n(f.online)}/{n(f.received)} hồ sơ",
            "online_payment": f"{n(f.paid_online)}/{n(f.pay_due)} hồ sơ có phí",
            # Over all received (online ones are electronic already), paper work shown beside it.
            "digitisation": f"{n(f.digitised_all)}/{n(f.received)} hồ sơ (giấy {n(f.digitised)}/{n(f.paper)})",
            "electronic_results": f"{n(f.result_files)}/{n(f.finished)} hồ sơ xong",
            "reuse": f"{n(f.reused)}/{n(f.received)} hồ sơ",
            "satisfaction": f"trễ {n(f.late)} · phản ánh {n(f.complaints)}"
                            + (f" · {f.rating_avg:.1f}★".replace(".", ",") if f.rating_avg else ""),
        }
        for key, card in self.cards.items():
            if d.scope != "" and key in ward.LOCAL_ONLY_INDICATORS:
                # Known only at the receiving counter (components, files, fees, complaints): not made up.
                card.show_value(None, "Chỉ quầy tiếp nhận có số liệu này")
                continue
            card.show_value(f.rate(key), details.get(key, ""))
        self._fill_scopes(d)
        notice = notice_html(d.ward) if d.ward is not None else ""
        self.ward_notice.setText(notice)
        self.ward_notice.setVisible(bool(notice))
        self.ward_tab.show_dashboard(d)
        self._show_banner(d)
        self.overview_tab.show_dashboard(d)
        self.backlog_tab.show_dashboard(d)
        self.deadline_tab.show_dashboard(d)
        self.review_tab.show_dashboard(d)
        tab = self.tabs.indexOf
        self.tabs.setTabText(tab(self.backlog_tab), f"Tồn số hóa ({n(d.backlog.total)})")
        self.tabs.setTabText(tab(self.deadline_tab), f"Hạn giải quyết ({n(d.deadlines['overdue_count'])} quá hạn)")
        self.tabs.setTabText(tab(self.review_tab),
                             f"Kiểm tra chất lượng ({len(d.reviews)}{'+' if len(d.reviews) >= 100 else ''})")
        if d.ward is not None and d.ward.stale:
            self.tabs.setTabText(tab(self.ward_tab), f"Các quầy (⚠ {len(d.ward.stale)} quầy dữ liệu cũ)")
        else:
            self.tabs.setTabText(tab(self.ward_tab), "Các quầy")
        self.refreshed.emit()

    def _show_banner(self, d: ind.Dashboard) -> None:
        if d.reminder is None:
            self.banner.hide()
            return
        y, m = d.reminder
        self.banner.setText(f"⚠ Báo cáo tháng {m:02d}/{y} cần gửi trước ngày 15/{d.now.month:02d}/{d.now.year}. "
                            f"Chọn tháng {m:02d}/{y} rồi bấm «Báo cáo tháng (PDF)».")
        self.banner.show()

    # --- dossiers from any list -----------------------------------------------------------------
    def selected_id(self, table: QTableWidget) -> int | None:
        """The dossier id riding on the selected row of one of the page's lists."""
        row = table.currentRow()
        item = table.item(row, 0) if row >= 0 else None
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def open_selected(self, table: QTableWidget) -> None:
        """Open the dossier selected in ``table``."""
        did = self.selected_id(table)
        if did is not None:
            self.open_dossier(did)

    def open_dossier(self, dossier_id: int, then: Callable[[Any], None] | None = None) -> Any:
        """Open the dossier's detail (non-modal); ``then(dialog)`` runs once its data is shown."""
        from counter_app.ui.dossier_detail import DossierDetail

        dlg = DossierDetail(self.worker, self.data_root, dossier_id, self)
        dlg.no_preview = self.no_preview  # type: ignore[attr-defined]
        dlg.scan_requested.connect(self.scan_requested.emit)
        dlg.finished.connect(lambda _r: self.refresh() if dlg.changed else None)
        dlg.show()
        if then is not None:
            # The worker runs jobs in order: this no-op completes right after the dialog's load.
            self.worker.submit(lambda _cdb: None, lambda _r: then(dlg))
        return dlg

    def apologise(self, dossier_id: int | None) -> None:
        """«Xin lỗi, hẹn lại…» for an overdue dossier: the detail's apology (Mẫu 04 / 2025 letter)."""
        if dossier_id is None:
            return
        self.open_dossier(dossier_id, then=lambda dlg: dlg.apology())

    # --- monthly report -------------------------------------------------------------------------
    def export_pdf(self) -> None:
        """Render the chosen month's report in the pool, save it, then preview it."""
        self._export(pdf=True)

    def export_csv(self) -> None:
        """Save the chosen month's underlying rows as CSV (UTF-8 with BOM, opens in Excel)."""
        self._export(pdf=False)

    def _export(self, *, pdf: bool) -> None:
        if self.dash is None:
            self.status.setText("Số liệu đang được tính lần đầu; lập báo cáo sau khi tính xong.")
            return
        y, m = self.selected_month()
        root = self.data_root
        now = self.clock()
        today = now.date()
        self.status.setText(f"Đang lập báo cáo tháng {m:02d}/{y}…")
        for b in (self.pdf_btn, self.csv_btn):
            b.setEnabled(False)

        def render(data: monthly.ReportData) -> Path:
            if pdf:
                return monthly.save(root, data, pdf=monthly.render_pdf(data))[0]  # type: ignore[return-value]
            return monthly.save(root, data, csv_bytes=monthly.render_csv(data))[1]  # type: ignore[return-value]

        def collected(data: monthly.ReportData) -> None:
            run_in_pool(lambda: render(data), saved, failed)

        def saved(path: object) -> None:
            for b in (self.pdf_btn, self.csv_btn):
                b.setEnabled(True)
            assert isinstance(path, Path)
            self.status.setText(f"Đã lưu {path.name} trong {path.parent}")
            self.report_saved.emit(path)
            from counter_app.services.access import record_export

            uid, fmt = self.user_id, ("pdf" if pdf else "csv")
            self.worker.submit(lambda cdb: record_export(cdb, uid, "monthly_report",
                                                         {"month": f"{y:04d}-{m:02d}", "format": fmt}))
            if pdf:
                self.worker.submit(lambda cdb: monthly.mark_exported(cdb, y, m), lambda _r: self.refresh())
                if not self.no_preview:
                    from counter_app.ui.printing import preview_pdf

                    preview_pdf(self, path)

        def failed(exc: BaseException) -> None:
            for b in (self.pdf_btn, self.csv_btn):
                b.setEnabled(True)
            self.status.setText("Không lập được báo cáo.")
            show_exception(self, exc)

        self.worker.submit(lambda cdb: monthly.collect(cdb, y, m, today=today, with_rows=not pdf, now=now),
                           collected, failed)
