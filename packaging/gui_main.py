"""Entry point of the windowed executable (``counter-app-gui.exe``, Start-menu shortcut)."""

from counter_app.app import main

if __name__ == "__main__":
    raise SystemExit(main())
