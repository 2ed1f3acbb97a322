"""A real X session for the end-to-end suite: Xvfb + openbox, the real app process, xdotool input.

Nothing here talks to the app's widgets: input goes through the X server (XTEST, as a keyboard and
a mouse would), windows are found by title and process id, and results are read back from the
database and the files the app wrote. Every step leaves a screenshot under ``out/e2e/<test>/``.

Waiting is always on a real condition (a window with a title appears, a row reaches the database)
with a bounded timeout; a timeout fails the test with the last screenshot saved as ``NN-FAIL``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out" / "e2e"
TOOLS = ("Xvfb", "openbox", "xdotool", "import", "xkbcomp", "xwininfo", "xprop")
# Letters outside US-ASCII that the suite types. They are bound to spare key codes before the app
# starts: left to itself, xdotool rebinds one spare key code per letter while typing, and Qt then
# read some keys under the previous binding (measured: "Phường Ba Đình" arrived as "Phng Ba nh" at
# 20 ms a key; whole at 100 ms). Bound up front, a 100-character QR types whole at 5 ms a key.
LETTERS = "ÂàâãìóõăĐƯưảấầẩễỆệịốộỜờỦứỬửữ"
T = TypeVar("T")


def missing_tools() -> list[str]:
    """The X programs this suite needs that are not installed (the suite skips with their names)."""
    return [t for t in TOOLS if shutil.which(t) is None]


def wait_for(what: str, fn: Callable[[], T | None], timeout: float = 20.0, every: float = 0.1,
             on_timeout: Callable[[], None] | None = None) -> T:
    """Poll ``fn`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > end:
            if on_timeout is not None:
                on_timeout()
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for: {what}")
        time.sleep(every)


def _die_with_parent() -> None:
    """In the child before exec: end when the test process ends, even if it is killed (no stray X server)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_display() -> int:
    # Under pytest-xdist each worker looks in its own range: two workers testing the same lock
    # file at once would both pick it, and one Xvfb would then fail to start.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    first = 90 + 40 * int(worker[2:]) if worker[2:].isdigit() else 90
    for n in range(first, first + 40):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


class Display:
    """One Xvfb screen (``width``×``height``×24) with openbox as the window manager."""

    def __init__(self, width: int = 1366, height: int = 768) -> None:
        self.width, self.height = width, height
        self.number = _free_display()
        self.name = f":{self.number}"
        self.procs: list[subprocess.Popen[bytes]] = []
        self.letters = ""

    def env(self) -> dict[str, str]:
        """Environment for programs on this display."""
        env = dict(os.environ)
        env["DISPLAY"] = self.name
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def start(self) -> Display:
        """Start the X server and the window manager; return when both answer."""
        xvfb = subprocess.Popen(["Xvfb", self.name, "-screen", "0", f"{self.width}x{self.height}x24",
                                 "-nolisten", "tcp", "-noreset"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        self.procs.append(xvfb)
        wait_for(f"Xvfb on {self.name}", lambda: Path(f"/tmp/.X11-unix/X{self.number}").exists()
                 and self.run("xdotool", "getdisplaygeometry", check=False).returncode == 0, 15)
        wm = subprocess.Popen(["openbox", "--sm-disable"], env=self.env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        self.procs.append(wm)
        # openbox announces itself on the root window once it manages windows.
        wait_for("openbox", lambda: "_NET_SUPPORTING_WM_CHECK(WINDOW)" in self.run(
            "xprop", "-root", "_NET_SUPPORTING_WM_CHECK", check=False).stdout, 15)
        self.bind_letters(LETTERS)
        return self

    def bind_letters(self, letters: str) -> None:
        """Give each letter a key of its own (two per spare key code, plain and with Shift)."""
        keymap = self.run("xkbcomp", "-xkb", self.name, "-").stdout
        codes = keymap[keymap.index("xkb_keycodes"):keymap.index("xkb_types")]
        start = keymap.index("xkb_symbols")
        used = set(re.findall(r"key\s+<(\w+)>", keymap[start:]))
        free = [n for n in re.findall(r"<(\w+)>\s*=\s*\d+;", codes) if n not in used]
        pairs = [letters[i:i + 2].ljust(2, letters[i]) for i in range(0, len(letters), 2)]
        if len(pairs) > len(free):
            raise RuntimeError(f"{len(letters)} letters need {len(pairs)} spare key codes, the server has {len(free)}")

        def keysym(ch: str) -> str:  # Latin-1 keysyms are the code point; others 0x1000000 + code point
            return hex(ord(ch)) if ord(ch) < 0x100 else hex(0x1000000 + ord(ch))

        lines = "".join(f'    key <{name}> {{ type= "TWO_LEVEL", symbols[Group1]= [ {keysym(a)}, {keysym(b)} ] }};\n'
                        for name, (a, b) in zip(free, pairs, strict=False))
        end = start + keymap[start:].index("\n};")
        subprocess.run(["xkbcomp", "-w", "0", "-", self.name], input=keymap[:end] + "\n" + lines + keymap[end:],
                       env=self.env(), capture_output=True, text=True, check=True, timeout=20)
        self.letters = letters

    def run(self, *argv: str, check: bool = True, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        """Run an X client program on this display."""
        return subprocess.run(list(argv), env=self.env(), capture_output=True, text=True, check=check,
                              timeout=timeout)

    def stop(self) -> None:
        """Stop the window manager and the X server."""
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
        self.procs.clear()


@dataclass
class Window:
    """An X window of the app."""

    wid: str
    title: str


@dataclass
class App:
    """The real application process on a display, driven by xdotool like an officer would."""

    display: Display
    data_dir: Path
    shots: Path
    proc: subprocess.Popen[bytes] | None = None
    step: int = 0
    presses: int = 0            # keys and typed words of the officer (a scanner's burst is one)
    keystrokes: int = 0         # every physical key, for the record
    log: list[str] = field(default_factory=list)

    def launch(self) -> App:
        """Start ``python -m counter_app.cli --data-dir D`` on the display (Qt's xcb platform)."""
        env = self.display.env()
        env["QT_QPA_PLATFORM"] = "xcb"
        env.pop("COUNTER_APP_DATA_DIR", None)
        env.pop("COUNTER_APP_PASSPHRASE", None)
        env["LANG"] = env["LC_ALL"] = "C.UTF-8"
        self.shots.mkdir(parents=True, exist_ok=True)
        self._out = (self.shots / "app-stderr.txt").open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "counter_app.cli", "--data-dir", str(self.data_dir)],
                                     cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent)
        return self

    # ------------------------------------------------------------------ looking
    def windows(self) -> list[Window]:
        """The app's visible windows, by X id and title."""
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"the app exited with code {self.proc.returncode}; see {self.shots}/app-stderr.txt")
        res = self.display.run("xdotool", "search", "--onlyvisible", "--pid", str(self.proc.pid), "--name", ".",
                               check=False)
        out = []
        for wid in res.stdout.split():
            name = self.display.run("xdotool", "getwindowname", wid, check=False).stdout.strip()
            out.append(Window(wid, name))
        return out

    def wait_window(self, pattern: str, timeout: float = 30.0) -> Window:
        """The first visible window whose title matches ``pattern`` (a regular expression)."""
        rx = re.compile(pattern)
        return wait_for(f"a window titled /{pattern}/", lambda: next(
            (w for w in self.windows() if rx.search(w.title)), None), timeout, 0.2, self._fail_shot)

    def wait_no_window(self, pattern: str, timeout: float = 30.0) -> None:
        """Until no visible window's title matches ``pattern``."""
        rx = re.compile(pattern)
        wait_for(f"no window titled /{pattern}/", lambda: not any(rx.search(w.title) for w in self.windows()),
                 timeout, 0.2, self._fail_shot)

    def active_title(self) -> str:
        """Title of the window that has the keyboard focus."""
        return self.display.run("xdotool", "getactivewindow", "getwindowname", check=False).stdout.strip()

    def geometry(self, win: Window) -> dict[str, int]:
        """Screen position and size of a window's client area (X, Y, WIDTH, HEIGHT).

        From ``xwininfo``: ``xdotool getwindowgeometry`` counts openbox's frame twice in Y (20 px off).
        """
        out = self.display.run("xwininfo", "-id", win.wid).stdout
        field = {"Absolute upper-left X": "X", "Absolute upper-left Y": "Y", "Width": "WIDTH", "Height": "HEIGHT"}
        return {field[k.strip()]: int(v) for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)
                if k.strip() in field}

    def shot(self, name: str) -> Path:
        """Screenshot of the whole screen as ``NN-name.png``."""
        self.step += 1
        path = self.shots / f"{self.step:02d}-{name}.png"
        self.display.run("import", "-window", "root", str(path), timeout=30)
        return path

    def frame(self) -> Any:
        """The screen as an array of pixels (height × width × 3)."""
        import numpy as np

        raw = subprocess.run(["import", "-window", "root", "-depth", "8", "rgb:-"], env=self.display.env(),
                             capture_output=True, check=True, timeout=30).stdout
        return np.frombuffer(raw, np.uint8).reshape(self.display.height, self.display.width, 3)

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until the screen stops changing: the app has handled the input it was sent.

        An officer looks at the screen before the next key; on a loaded 2-core PC the app can be
        seconds behind the keyboard. Two frames in a row that differ in fewer pixels than a text
        cursor (which blinks) count as settled.
        """
        import numpy as np

        last = self.frame()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            time.sleep(0.15)
            now = self.frame()
            changed = int(np.any(now != last, axis=2).sum())
            if changed < 120:
                return
            last = now
        self._fail_shot()
        raise AssertionError(f"the screen kept changing for {timeout:.0f} s")

    def _fail_shot(self) -> None:
        with contextlib.suppress(Exception):  # the screenshot is a courtesy; the assertion says what failed
            self.shot("FAIL")

    # ------------------------------------------------------------------ acting
    def activate(self, win: Window) -> None:
        """Bring a window to the front and give it the keyboard (what a click on it does)."""
        self.display.run("xdotool", "windowactivate", "--sync", win.wid, check=False)
        wait_for(f"focus on {win.title!r}", lambda: self.active_title() == win.title, 10, 0.1, self._fail_shot)

    def key(self, *keys: str) -> None:
        """Press keys (xdotool names: Return, ctrl+n, F9); each counts as one press of the officer."""
        self.presses += len(keys)
        self.keystrokes += len(keys)
        self.log.append(" ".join(keys))
        for k in keys:  # one at a time, each after the app has shown the result of the last
            self.display.run("xdotool", "key", k)
            self.settle()

    def _check_letters(self, text: str) -> None:
        unbound = sorted({ch for ch in text if ord(ch) > 127 and ch not in self.display.letters})
        assert not unbound, f"add {''.join(unbound)!r} to tests/e2e/xsession.py LETTERS"

    def type(self, text: str, *, officer: bool = True) -> None:
        """Type text through the keyboard; an officer's word counts as one action, a scanner's burst too."""
        self._check_letters(text)
        if officer:
            self.presses += 1
        self.keystrokes += len(text)
        self.log.append(f"type {text!r}")
        self.display.run("xdotool", "type", "--delay", "12", "--", text, timeout=60)
        self.settle()

    def scan(self, text: str) -> None:
        """A keyboard-wedge QR scanner: the text, then Enter, typed as one burst (one action)."""
        self._check_letters(text)
        self.presses += 1
        self.keystrokes += len(text) + 1
        self.log.append("scan QR")
        self.display.run("xdotool", "type", "--delay", "5", "--", text, timeout=60)
        self.display.run("xdotool", "key", "Return")
        self.settle()

    def click(self, win: Window, x: int, y: int) -> None:
        """A real mouse click at (x, y) inside the window's client area."""
        g = self.geometry(win)
        self.display.run("xdotool", "mousemove", "--sync", str(g["X"] + x), str(g["Y"] + y), "click", "1")

    # ------------------------------------------------------------------ reading results
    def db(self) -> sqlite3.Connection:
        """A read-only connection to the app's database (codes, states, audit: plain columns)."""
        conn = sqlite3.connect(f"file:{self.data_dir / 'counter.sqlite3'}?mode=ro", uri=True, timeout=10)
        conn.row_factory = sqlite3.Row
        return conn

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Rows from the app's database (a fresh read each time: the app writes in WAL mode)."""
        with self.db() as conn:
            return list(conn.execute(sql, params))

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        """One value from the app's database."""
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def stop(self) -> None:
        """Close the app (SIGTERM, then SIGKILL after 10 s)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if getattr(self, "_out", None) is not None:
            self._out.close()
