"""TWAIN helper process: speaks the JSON-lines protocol of :mod:`.twain` and drives pytwain.

**Not run on any machine yet** (no Windows scanner here): see the README's support table.

Why a separate process: most document scanners ship 32-bit-only TWAIN drivers, a 64-bit app cannot
load them, and a crashing driver must not take the counter app down with it (NAPS2 runs TWAIN in a
32-bit worker for the same reasons). So this file uses **only the standard library and pytwain**:
it can run under a 32-bit embeddable Python that holds nothing but pytwain, as
``python.exe twain_helper.py``.

Protocol (version 1): one JSON object per line on stdin (requests) and stdout (replies/events);
stderr is free text for the log. Every request has ``id`` and ``op``:

* ``hello`` → ``{"id", "ok": true, "result": {"protocol": 1, "bits": 32|64, "driver": "twain"}}``
* ``list`` → ``result: {"sources": [{"name": ..., "manufacturer": ..., "family": ...}]}``
* ``caps`` ``{"source"}`` → ``result: {"feeder": bool, "duplex": bool, "flatbed": bool,
  "dpis": [..], "colors": ["color", "gray"]}``
* ``scan`` ``{"source", "dpi", "color", "feeder", "duplex", "max_pages", "outdir"}`` → one
  ``{"id", "event": "page", "index", "path", "dpi"}`` per page (the file is complete when the
  event is sent: written as ``.part`` then renamed), then ``{"id", "ok": true, "result":
  {"pages": n}}``, or an error after the pages that did arrive.
* ``cancel`` (no reply of its own: the running ``scan`` ends with ``ok`` and the pages so far)
* ``quit`` → the helper exits.

Known risk, to check on the first Windows run: TWAIN 1.x drivers announce "transfer ready" through
window messages; pytwain's native transfer is called straight after ``request_acquire`` (as in
its own samples). Drivers that insist on a message pump may need a hidden window and a
``modal_loop`` here, as NAPS2's worker has.

Errors: ``{"id", "ok": false, "error": {"code", "message"}}`` with ``code`` one of ``not_found``,
``busy``, ``paper_jam``, ``feeder_empty``, ``cover_open``, ``unsupported``, ``io``, ``protocol``.
"""

from __future__ import annotations

import json
import os
import queue
import struct
import sys
import threading
from typing import Any

PROTOCOL = 1
_cancel = threading.Event()


def send(obj: dict[str, Any]) -> None:
    """One reply line (flushed: the parent reads line by line)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def error(req_id: Any, code: str, message: str) -> None:
    """A failed request."""
    send({"id": req_id, "ok": False, "error": {"code": code, "message": message}})


class _Twain:
    """The pytwain side (Windows only; imported lazily so ``hello`` works everywhere)."""

    def __init__(self) -> None:
        import twain  # pytwain

        self.twain = twain
        self.sm = twain.SourceManager(None)  # no parent window: the helper has no UI

    def sources(self) -> list[dict[str, str]]:
        return [{"name": n, "manufacturer": "", "family": ""} for n in self.sm.source_list]

    def open(self, name: str) -> Any:
        try:
            return self.sm.open_source(name)
        except Exception as exc:
            raise _Fail("not_found", f"{name}: {exc}") from exc

    def caps(self, name: str) -> dict[str, Any]:
        t = self.twain
        with self.open(name) as src:
            def supported(cap: int) -> bool:
                try:
                    src.get_capability(cap)
                    return True
                except Exception:
                    return False

            dpis: list[int] = []
            try:
                _type, value = src.get_capability(t.ICAP_XRESOLUTION)
                if isinstance(value, tuple):  # enumeration: (current, default, values)
                    dpis = sorted({int(v) for v in value[2]})
            except Exception:
                pass
            return {"feeder": supported(t.CAP_FEEDERENABLED), "duplex": supported(t.CAP_DUPLEXENABLED),
                    "flatbed": True, "dpis": dpis, "colors": ["color", "gray"]}

    def scan(self, req: dict[str, Any]) -> int:
        t = self.twain
        outdir = req["outdir"]
        count = 0
        with self.open(req["source"]) as src:
            def setcap(cap: int, kind: int, value: Any) -> None:
                try:
                    src.set_capability(cap, kind, value)
                except Exception as exc:  # the driver refuses: say which setting
                    raise _Fail("unsupported", f"capability {cap}: {exc}") from exc

            setcap(t.ICAP_XRESOLUTION, t.TWTY_FIX32, float(req["dpi"]))
            setcap(t.ICAP_YRESOLUTION, t.TWTY_FIX32, float(req["dpi"]))
            setcap(t.ICAP_PIXELTYPE, t.TWTY_UINT16, t.TWPT_RGB if req["color"] == "color" else t.TWPT_GRAY)
            if req.get("feeder"):
                setcap(t.CAP_FEEDERENABLED, t.TWTY_BOOL, True)
                setcap(t.CAP_AUTOFEED, t.TWTY_BOOL, True)
                setcap(t.CAP_DUPLEXENABLED, t.TWTY_BOOL, bool(req.get("duplex")))
            limit = req.get("max_pages") or -1
            setcap(t.CAP_XFERCOUNT, t.TWTY_INT16, limit)
            src.request_acquire(show_ui=False, modal_ui=False)
            more = 1
            while more and not _cancel.is_set():
                try:
                    handle, more = src.xfer_image_natively()
                except Exception as exc:
                    name = type(exc).__name__
                    if name == "PaperJam":
                        raise _Fail("paper_jam", str(exc)) from exc
                    if count == 0 and req.get("feeder"):
                        raise _Fail("feeder_empty", str(exc)) from exc
                    raise _Fail("io", f"{name}: {exc}") from exc
                path = os.path.join(outdir, f"p{count + 1:04d}.bmp")
                t.dib_to_bm_file(handle, path + ".part")
                os.replace(path + ".part", path)
                send({"id": req["id"], "event": "page", "index": count, "path": path, "dpi": int(req["dpi"])})
                count += 1
                if limit > 0 and count >= limit:
                    break
        return count


class _Fail(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _reader(requests: queue.Queue[dict[str, Any] | None]) -> None:
    """Read stdin on a thread so a ``cancel`` reaches a scan that is blocking the main thread."""
    for line in sys.stdin:
        try:
            req = json.loads(line)
            _ = req["id"], req["op"]
        except (ValueError, KeyError, TypeError):
            error(None, "protocol", f"bad request line: {line[:80]!r}")
            continue
        if req["op"] == "cancel":
            _cancel.set()
        else:
            requests.put(req)
    requests.put(None)  # end of input: the parent went away


def main() -> int:
    """Serve requests until ``quit`` or end of input."""
    driver: _Twain | None = None
    requests: queue.Queue[dict[str, Any] | None] = queue.Queue()
    threading.Thread(target=_reader, args=(requests,), daemon=True).start()
    while (req := requests.get()) is not None:
        req_id, op = req["id"], req["op"]
        try:
            if op == "hello":
                send({"id": req_id, "ok": True, "result": {
                    "protocol": PROTOCOL, "bits": struct.calcsize("P") * 8, "driver": "twain"}})
            elif op == "quit":
                send({"id": req_id, "ok": True, "result": {}})
                return 0
            else:
                if driver is None:
                    if sys.platform != "win32":
                        raise _Fail("unsupported", "TWAIN needs Windows")
                    driver = _Twain()
                if op == "list":
                    send({"id": req_id, "ok": True, "result": {"sources": driver.sources()}})
                elif op == "caps":
                    send({"id": req_id, "ok": True, "result": driver.caps(req["source"])})
                elif op == "scan":
                    _cancel.clear()
                    pages = driver.scan(req)
                    send({"id": req_id, "ok": True, "result": {"pages": pages}})
                else:
                    error(req_id, "protocol", f"unknown op {op!r}")
        except _Fail as exc:
            error(req_id, exc.code, str(exc))
        except Exception as exc:  # a driver bug: report, stay alive for the next request
            error(req_id, "io", f"{type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
