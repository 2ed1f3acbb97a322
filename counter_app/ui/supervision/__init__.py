"""Page «Giám sát»: the supervisor's desk (one module per tab, issue #17 item 7).

Indicator cards (QĐ 766, formula on hover, band colour) and the monthly report (PDF + CSV) with
the 1st–15th reminder are on the page (:mod:`.page`); the tabs: the 12-month trend, backlog by age
and sync health (:mod:`.overview`), the digitisation backlog by age / officer / procedure with
drill-down and a jump to scanning (:mod:`.backlog`), overdue and due-soon lists with the apology
letter (:mod:`.deadlines`), the quality review of digitised components (:mod:`.review`).
"""

from counter_app.ui.supervision.page import SupervisionPage
from counter_app.ui.supervision.review import render_first_page

# The encrypted-files test renders a scan through the page's preview function by this name.
_render_first_page = render_first_page

__all__ = ["SupervisionPage", "render_first_page"]
