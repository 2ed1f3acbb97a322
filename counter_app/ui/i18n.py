"""Vietnamese for Qt's own dialogs (issue #14: "English reaches officers").

Our widgets carry their own Vietnamese strings. What remained English came from Qt itself: the
buttons of message boxes and input dialogs (OK/Cancel), the print preview toolbar, the print and
page-setup dialogs and, on Linux, Qt's file dialog. Qt ships no ``qtbase_vi.qm`` (PySide6 6.11 has
33 languages, not Vietnamese; Debian's ``qttranslations`` neither), so :func:`install_translations`

1. loads ``qtbase_vi.qm`` from Qt's translations folder if a later Qt or the system provides one;
2. installs :class:`QtStringsVi`, a translator with the strings of those dialogs an officer sees —
   read off the dialogs themselves by a recording translator (context and source text exactly as
   Qt asks for them), translated here. Strings it does not know fall through to the next
   translator or to Qt's English, never to an empty label.

On Windows the file dialogs and the print dialog are the system's own (native, in the system's
language): Qt uses them by default and nothing here changes that. The print preview is Qt's on
every platform, hence its toolbar below.
"""

from __future__ import annotations

import logging

from counter_app.ui.qt import QApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

__all__ = ["QT_STRINGS_VI", "QtStringsVi", "install_translations"]

_BUTTONS = {
    "OK": "Đồng ý", "Cancel": "Hủy", "Close": "Đóng", "Open": "Mở", "Save": "Lưu", "Save All": "Lưu tất cả",
    "Discard": "Bỏ", "&Yes": "&Có", "&No": "&Không", "Yes to &All": "Có với tất cả", "N&o to All": "Không với tất cả",
    "Apply": "Áp dụng", "Reset": "Đặt lại", "Restore Defaults": "Khôi phục mặc định", "Help": "Trợ giúp",
    "Abort": "Dừng", "Retry": "Thử lại", "Ignore": "Bỏ qua",
}

#: (context, source text) → Vietnamese. Keyboard accelerators (&) kept where Qt's text has one.
QT_STRINGS_VI: dict[tuple[str, str], str] = {
    **{("QPlatformTheme", k): v for k, v in _BUTTONS.items()},
    **{("QDialogButtonBox", k): v for k, v in _BUTTONS.items()},
    ("QMessageBox", "OK"): "Đồng ý",
    ("QMessageBox", "Show Details..."): "Xem chi tiết…",
    ("QMessageBox", "Hide Details..."): "Ẩn chi tiết…",
    ("QInputDialog", "Enter a value:"): "Nhập giá trị:",
    ("QProgressDialog", "Cancel"): "Hủy",
    # Text fields' right-click menu.
    ("QLineEdit", "&Undo"): "&Hoàn tác", ("QLineEdit", "&Redo"): "&Làm lại", ("QLineEdit", "Cu&t"): "&Cắt",
    ("QLineEdit", "&Copy"): "Sao &chép", ("QLineEdit", "&Paste"): "&Dán", ("QLineEdit", "Delete"): "Xóa",
    ("QLineEdit", "Select All"): "Chọn tất cả",
    ("QWidgetTextControl", "&Undo"): "&Hoàn tác", ("QWidgetTextControl", "&Redo"): "&Làm lại",
    ("QWidgetTextControl", "Cu&t"): "&Cắt", ("QWidgetTextControl", "&Copy"): "Sao &chép",
    ("QWidgetTextControl", "&Paste"): "&Dán", ("QWidgetTextControl", "Delete"): "Xóa",
    ("QWidgetTextControl", "Select All"): "Chọn tất cả",
    ("QWidgetTextControl", "Copy &Link Location"): "Sao chép địa chỉ liên kết",
    # Print preview (Qt's own on every platform).
    ("QPrintPreviewDialog", "Print Preview"): "Xem trước khi in",
    ("QPrintPreviewDialog", "Print"): "In", ("QPrintPreviewDialog", "Page Setup"): "Thiết lập trang",
    ("QPrintPreviewDialog", "Page setup"): "Thiết lập trang",
    ("QPrintPreviewDialog", "First page"): "Trang đầu", ("QPrintPreviewDialog", "Last page"): "Trang cuối",
    ("QPrintPreviewDialog", "Next page"): "Trang sau", ("QPrintPreviewDialog", "Previous page"): "Trang trước",
    ("QPrintPreviewDialog", "Fit page"): "Vừa trang", ("QPrintPreviewDialog", "Fit width"): "Vừa chiều rộng",
    ("QPrintPreviewDialog", "Zoom in"): "Phóng to", ("QPrintPreviewDialog", "Zoom out"): "Thu nhỏ",
    ("QPrintPreviewDialog", "Portrait"): "Khổ dọc", ("QPrintPreviewDialog", "Landscape"): "Khổ ngang",
    ("QPrintPreviewDialog", "Show single page"): "Xem từng trang",
    ("QPrintPreviewDialog", "Show facing pages"): "Xem hai trang đối diện",
    ("QPrintPreviewDialog", "Show overview of all pages"): "Xem tổng quan mọi trang",
    ("QPrintPreviewDialog", "Export to PDF"): "Xuất ra PDF",
    # Print dialog (Linux; Windows shows its own).
    ("QPrintDialog", "Print"): "In", ("QPrintDialog", "&Print"): "&In",
    ("QPrintDialog", "&Options >>"): "&Tùy chọn >>", ("QPrintDialog", "&Options <<"): "&Tùy chọn <<",
    ("QPrintDialog", "All Pages"): "Mọi trang", ("QPrintDialog", "Odd Pages"): "Trang lẻ",
    ("QPrintDialog", "Even Pages"): "Trang chẵn", ("QPrintDialog", "Local file"): "Tệp trên máy",
    ("QPrintDialog", "Print to File (PDF)"): "In ra tệp (PDF)", ("QPrintDialog", "Write PDF file"): "Ghi tệp PDF",
    ("QPrintDialog", "Print To File ..."): "In ra tệp…",
    ("QPrintDialog", "Left to Right, Top to Bottom"): "Trái sang phải, trên xuống dưới",
    ("QPrintDialog", "Left to Right, Bottom to Top"): "Trái sang phải, dưới lên trên",
    ("QPrintDialog", "Right to Left, Top to Bottom"): "Phải sang trái, trên xuống dưới",
    ("QPrintDialog", "Right to Left, Bottom to Top"): "Phải sang trái, dưới lên trên",
    ("QPrintDialog", "Top to Bottom, Left to Right"): "Trên xuống dưới, trái sang phải",
    ("QPrintDialog", "Top to Bottom, Right to Left"): "Trên xuống dưới, phải sang trái",
    ("QPrintDialog", "Bottom to Top, Left to Right"): "Dưới lên trên, trái sang phải",
    ("QPrintDialog", "Bottom to Top, Right to Left"): "Dưới lên trên, phải sang trái",
    ("QPrintWidget", "Printer"): "Máy in", ("QPrintWidget", "&Name:"): "&Tên:",
    ("QPrintWidget", "P&roperties"): "Th&uộc tính", ("QPrintWidget", "Location:"): "Vị trí:",
    ("QPrintWidget", "Preview"): "Xem trước", ("QPrintWidget", "Type:"): "Loại:",
    ("QPrintWidget", "Output &file:"): "&Tệp xuất:", ("QPrintWidget", "Form"): "Biểu mẫu",
    ("QPrintSettingsOutput", "Options"): "Tùy chọn", ("QPrintSettingsOutput", "Copies"): "Số bản",
    ("QPrintSettingsOutput", "Copies:"): "Số bản:", ("QPrintSettingsOutput", "Collate"): "Xếp theo bộ",
    ("QPrintSettingsOutput", "Reverse"): "In ngược thứ tự", ("QPrintSettingsOutput", "Color Mode"): "Chế độ màu",
    ("QPrintSettingsOutput", "Color"): "Màu", ("QPrintSettingsOutput", "Grayscale"): "Thang xám",
    ("QPrintSettingsOutput", "Double Sided Printing"): "In hai mặt", ("QPrintSettingsOutput", "Off"): "Tắt",
    ("QPrintSettingsOutput", "Long side binding"): "Lật theo cạnh dài",
    ("QPrintSettingsOutput", "Short side binding"): "Lật theo cạnh ngắn",
    ("QPrintSettingsOutput", "Output Settings"): "Thiết lập in", ("QPrintSettingsOutput", "Form"): "Biểu mẫu",
    ("QPrintSettingsOutput", "Page &Set:"): "&Nhóm trang:", ("QPrintSettingsOutput", "Pages"): "Trang",
    ("QPrintSettingsOutput", "Pages from"): "Từ trang", ("QPrintSettingsOutput", "to"): "đến",
    ("QPrintSettingsOutput", "Print all"): "In tất cả", ("QPrintSettingsOutput", "Print range"): "Phạm vi in",
    ("QPrintSettingsOutput", "Current Page"): "Trang hiện tại", ("QPrintSettingsOutput", "Selection"): "Phần chọn",
    ("QPrintSettingsOutput",
     "Specify pages or ranges separated by commas. Ranges are specified by two numbers separated by a hyphen. "
     "E.g: 3,5-7,9 prints pages 3, 5, 6, 7 and 9."):
        "Ghi các trang hoặc khoảng trang, cách nhau bằng dấu phẩy; khoảng trang là hai số nối bằng gạch "
        "ngang. Ví dụ 3,5-7,9 in các trang 3, 5, 6, 7 và 9.",
    ("QPageSetupWidget", "Paper"): "Giấy", ("QPageSetupWidget", "Page size:"): "Khổ giấy:",
    ("QPageSetupWidget", "Width:"): "Rộng:", ("QPageSetupWidget", "Height:"): "Cao:",
    ("QPageSetupWidget", "Paper source:"): "Khay giấy:", ("QPageSetupWidget", "Orientation"): "Hướng giấy",
    ("QPageSetupWidget", "Portrait"): "Dọc", ("QPageSetupWidget", "Landscape"): "Ngang",
    ("QPageSetupWidget", "Reverse landscape"): "Ngang ngược", ("QPageSetupWidget", "Reverse portrait"): "Dọc ngược",
    ("QPageSetupWidget", "Margins"): "Lề", ("QPageSetupWidget", "top margin"): "lề trên",
    ("QPageSetupWidget", "bottom margin"): "lề dưới", ("QPageSetupWidget", "left margin"): "lề trái",
    ("QPageSetupWidget", "right margin"): "lề phải", ("QPageSetupWidget", "Page Layout"): "Bố cục trang",
    ("QPageSetupWidget", "Page &order:"): "&Thứ tự trang:", ("QPageSetupWidget", "Pages &per sheet:"):
        "Số trang &mỗi tờ:",
    ("QPageSetupWidget", "Custom"): "Tùy chỉnh", ("QPageSetupWidget", "Millimeters (mm)"): "Milimét (mm)",
    ("QPageSetupWidget", "Inches (in)"): "Inch (in)", ("QPageSetupWidget", "Points (pt)"): "Điểm (pt)",
    ("QPageSetupWidget", "Form"): "Biểu mẫu",
    # Qt's own file dialog (Linux without a desktop portal).
    ("QFileDialog", "&Look in:"): "&Tìm trong:", ("QFileDialog", "File &name:"): "&Tên tệp:",
    ("QFileDialog", "Files of &type:"): "&Loại tệp:", ("QFileDialog", "Directory:"): "Thư mục:",
    ("QFileDialog", "&Open"): "&Mở", ("QFileDialog", "&Choose"): "&Chọn", ("QFileDialog", "&Save"): "&Lưu",
    ("QFileDialog", "Open"): "Mở", ("QFileDialog", "Save As"): "Lưu thành",
    ("QFileDialog", "Find Directory"): "Chọn thư mục",
    ("QFileDialog", "Back"): "Lùi", ("QFileDialog", "Forward"): "Tiến",
    ("QFileDialog", "Go back"): "Quay lại", ("QFileDialog", "Go forward"): "Đi tiếp",
    ("QFileDialog", "Parent Directory"): "Thư mục cha",
    ("QFileDialog", "Go to the parent directory"): "Lên thư mục cha",
    ("QFileDialog", "Create New Folder"): "Tạo thư mục mới", ("QFileDialog", "Create a New Folder"):
        "Tạo thư mục mới",
    ("QFileDialog", "&New Folder"): "Thư mục &mới", ("QFileDialog", "New Folder"): "Thư mục mới",
    ("QFileDialog", "&Delete"): "&Xóa", ("QFileDialog", "&Rename"): "Đổi &tên",
    ("QFileDialog", "List View"): "Danh sách", ("QFileDialog", "Detail View"): "Chi tiết",
    ("QFileDialog", "Change to list view mode"): "Xem dạng danh sách",
    ("QFileDialog", "Change to detail view mode"): "Xem dạng chi tiết",
    ("QFileDialog", "List of places and bookmarks"): "Các vị trí và thư mục đánh dấu",
    ("QFileDialog", "Sidebar"): "Thanh bên", ("QFileDialog", "Files"): "Tệp",
    ("QFileDialog", "Directories"): "Thư mục", ("QFileDialog", "All Files (*)"): "Mọi tệp (*)",
    ("QFileDialog", "Show &hidden files"): "Hiện tệp &ẩn", ("QFileDialog", "Recent Places"): "Vừa dùng",
    ("QFileDialog", "My Computer"): "Máy tính",
    ("QFileDialog", "%1 already exists.\nDo you want to replace it?"): "%1 đã có.\nGhi đè lên tệp này?",
    ("QFileDialog", "%1\nFile not found.\nPlease verify the correct file name was given."):
        "%1\nKhông tìm thấy tệp.\nKiểm tra lại tên tệp.",
    ("QFileDialog", "%1\nDirectory not found.\nPlease verify the correct directory name was given."):
        "%1\nKhông tìm thấy thư mục.\nKiểm tra lại tên thư mục.",
    ("QFileDialog", "Are you sure you want to delete '%1'?"): "Xóa «%1»?",
    ("QFileSystemModel", "Name"): "Tên", ("QFileSystemModel", "Size"): "Cỡ", ("QFileSystemModel", "Type"): "Loại",
    ("QFileSystemModel", "Date Modified"): "Ngày sửa", ("QFileSystemModel", "Computer"): "Máy tính",
    ("QFileSystemModel", "My Computer"): "Máy tính",
    ("QAbstractFileIconProvider", "Folder"): "Thư mục", ("QAbstractFileIconProvider", "Drive"): "Ổ đĩa",
    ("QAbstractFileIconProvider", "File"): "Tệp",
    ("QTabBar", "Scroll Left"): "Cuộn trái", ("QTabBar", "Scroll Right"): "Cuộn phải",
}


class QtStringsVi(QTranslator):
    """A translator from :data:`QT_STRINGS_VI` (no .qm file: Qt publishes none for Vietnamese)."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,  # Qt's override
                  n: int = -1) -> str | None:
        """Vietnamese for a Qt string, or None — a null string, so Qt tries the next translator, then
        the source ("" would be taken as the translation and blank the label)."""
        return QT_STRINGS_VI.get((context, source))

    def isEmpty(self) -> bool:  # Qt's camelCase override: an "empty" translator is skipped
        """Never empty."""
        return False


def install_translations(app: QApplication) -> list[QTranslator]:
    """Install Vietnamese for Qt's own dialogs; returns the translators (keep them alive)."""
    installed: list[QTranslator] = []
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    shipped = QTranslator(app)
    if shipped.load(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam), "qtbase", "_", folder):
        app.installTranslator(shipped)
        installed.append(shipped)
        log.info("Qt's Vietnamese translation loaded from %s", folder)
    ours = QtStringsVi(app)
    app.installTranslator(ours)  # installed last = asked first: our wording wins where both have one
    installed.append(ours)
    return installed
