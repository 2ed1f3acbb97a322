"""Thin launcher: ``python main.py`` == ``counter-app``."""

from counter_app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
