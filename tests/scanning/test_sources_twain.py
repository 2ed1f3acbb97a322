"""TWAIN helper protocol against a real child process: a fake driver speaking the same JSON lines
(TWAIN itself cannot run here). Also the real helper's ``hello`` on Linux, WIA's error/property
mapping, and per-scanner profiles."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import pytest

from counter_app.scanning.sources import SourceInfo, open_source, registered_kinds, wia
from counter_app.scanning.sources import twain as tw
from counter_app.scanning.sources.base import (
    CancelToken,
    CoverOpenError,
    DeviceIOError,
    FeederEmptyError,
    PaperJamError,
    ScanSettings,
    ScanTimeoutError,
    SourceUnavailableError,
    UnsupportedSettingError,
)

# A fake TWAIN driver process: stdlib only, writes PPM pages, behaviour chosen by argv[1].
FAKE_DRIVER = textwrap.dedent('''
    import json, os, sys, threading, queue
    mode = sys.argv[1]
    cancel = threading.Event()
    reqs = queue.Queue()
    def send(o):
        sys.stdout.write(json.dumps(o) + "\\n"); sys.stdout.flush()
    def reader():
        for line in sys.stdin:
            r = json.loads(line)
            if r["op"] == "cancel":
                cancel.set()
                sys.stderr.write("cancel received\\n"); sys.stderr.flush()
            else:
                reqs.put(r)
        reqs.put(None)
    threading.Thread(target=reader, daemon=True).start()
    def page(outdir, i, w, h):
        path = os.path.join(outdir, "p%04d.ppm" % (i + 1))
        with open(path + ".part", "wb") as f:
            f.write(b"P6 %d %d 255\\n" % (w, h) + bytes([(i * 60) % 256, 128, 200]) * (w * h))
        os.replace(path + ".part", path)
        return path
    while (r := reqs.get()) is not None:
        rid, op = r["id"], r["op"]
        if op == "hello":
            send({"id": rid, "ok": True, "result": {"protocol": 1, "bits": 32, "driver": "fake"}})
        elif op == "quit":
            send({"id": rid, "ok": True, "result": {}}); break
        elif op == "list":
            send({"id": rid, "ok": True, "result": {"sources": [{"name": "Fujitsu fi-7160"}]}})
        elif op == "caps":
            send({"id": rid, "ok": True, "result": {"feeder": True, "duplex": True, "flatbed": False,
                                                     "dpis": [150, 200, 300, 600], "colors": ["color", "gray"]}})
        elif op == "scan":
            if mode == "hang":
                threading.Event().wait(60); continue
            if mode == "empty":
                send({"id": rid, "ok": False, "error": {"code": "feeder_empty", "message": "no paper"}}); continue
            if mode == "cover":
                send({"id": rid, "ok": False, "error": {"code": "cover_open", "message": "lid"}}); continue
            n = {"ok": 3, "jam": 2, "crash": 1, "slow": 50}[mode]
            sent = 0
            for i in range(n):
                if cancel.is_set():
                    break
                if mode == "slow" and i:
                    threading.Event().wait(0.1)
                w, h = 40 + i, 60 if not r["duplex"] else 61
                send({"id": rid, "event": "page", "index": i, "path": page(r["outdir"], i, w, h), "dpi": r["dpi"]})
                sent += 1
            if mode == "crash":
                os._exit(3)
            if mode == "jam":
                send({"id": rid, "ok": False, "error": {"code": "paper_jam", "message": "jam at sheet 3"}})
            else:
                send({"id": rid, "ok": True, "result": {"pages": sent}})
''')


@pytest.fixture(scope="module")
def fake_driver(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("twain") / "fake_twain_driver.py"
    path.write_text(FAKE_DRIVER, encoding="utf-8")
    return path


def source(fake_driver: Path, mode: str) -> tw.TwainSource:
    return tw.TwainSource("Fujitsu fi-7160", [sys.executable, str(fake_driver), mode])


FEEDER = ScanSettings(dpi=200, source="adf", color_mode="gray")


def test_feeder_batch_streams_pages_and_leaves_no_files(fake_driver: Path) -> None:
    src = source(fake_driver, "ok")
    try:
        caps = src.capabilities()
        assert caps.input_sources == ("adf", "adf_duplex") and caps.dpis == (150, 200, 300, 600)
        pages = list(src.pages(FEEDER, CancelToken()))
        assert [p.index for p in pages] == [0, 1, 2] and all(p.dpi == 200 for p in pages)
        assert [p.image.shape for p in pages] == [(60, 40, 3), (60, 41, 3), (60, 42, 3)]
        assert pages[1].source == "twain:Fujitsu fi-7160"
        duplex = list(src.pages(ScanSettings(dpi=300, source="adf_duplex"), CancelToken()))
        assert duplex[0].image.shape[0] == 61 and duplex[0].dpi == 300  # the duplex flag reached the driver
    finally:
        src.close()
    assert not list(Path(__import__("tempfile").gettempdir()).glob("twain-*/p*.ppm"))


def test_jam_keeps_pages_before_it_then_raises(fake_driver: Path) -> None:
    src = source(fake_driver, "jam")
    got = []
    try:
        with pytest.raises(PaperJamError) as exc:
            for p in src.pages(FEEDER, CancelToken()):
                got.append(p.index)
    finally:
        src.close()
    assert got == [0, 1]
    assert "Kẹt giấy" in exc.value.user_message()


@pytest.mark.parametrize(("mode", "error"), [("empty", FeederEmptyError), ("cover", CoverOpenError)])
def test_device_errors_are_typed(fake_driver: Path, mode: str, error: type[Exception]) -> None:
    src = source(fake_driver, mode)
    try:
        with pytest.raises(error):
            list(src.pages(FEEDER, CancelToken()))
    finally:
        src.close()


def test_cancel_reaches_the_driver_and_ends_quietly(fake_driver: Path) -> None:
    src = source(fake_driver, "slow")
    cancel = CancelToken()
    got = []
    try:
        for p in src.pages(FEEDER, cancel):
            got.append(p.index)
            if p.index == 1:
                cancel.cancel()
    finally:
        src.close()
    assert 2 <= len(got) < 50  # stopped long before the 50-page batch ran out


def test_hung_driver_is_killed_after_the_page_timeout(fake_driver: Path) -> None:
    src = source(fake_driver, "hang")
    src.page_timeout = 1.0
    try:
        t0 = time.monotonic()
        with pytest.raises(ScanTimeoutError):
            list(src.pages(FEEDER, CancelToken()))
        assert time.monotonic() - t0 < 10
        assert src._helper is not None and not src._helper.alive
    finally:
        src.close()


def test_crashing_driver_is_a_clear_error_after_its_pages(fake_driver: Path) -> None:
    src = source(fake_driver, "crash")
    got = []
    try:
        with pytest.raises(DeviceIOError) as exc:
            for p in src.pages(FEEDER, CancelToken()):
                got.append(p.index)
    finally:
        src.close()
    assert got == [0] and "dừng đột ngột" in exc.value.user_message()


def test_discovery_lists_driver_sources(fake_driver: Path) -> None:
    found = tw.discover([sys.executable, str(fake_driver), "ok"])
    assert [(s.kind, s.address) for s in found] == [("twain", "Fujitsu fi-7160")]
    assert "twain" in registered_kinds() and "wia" in registered_kinds()
    src = open_source(found[0])
    try:
        assert src.describe() == "Fujitsu fi-7160 (TWAIN)"
    finally:
        src.close()


def test_real_helper_speaks_the_protocol_and_refuses_off_windows() -> None:
    cmd = tw.helper_command(sys.executable)
    assert cmd is not None
    helper = tw.TwainHelper(cmd)
    try:
        hello = helper.request("hello")
        assert hello["protocol"] == tw.PROTOCOL and hello["bits"] in (32, 64)
        if sys.platform != "win32":
            with pytest.raises(UnsupportedSettingError):
                helper.request("list")
            assert tw.discover(cmd) == []
    finally:
        helper.close()
    assert not helper.alive


def test_no_helper_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(tw.HELPER_ENV, raising=False)
    assert tw.helper_command() is None
    with pytest.raises(SourceUnavailableError, match="TWAIN"):
        open_source(SourceInfo(kind="twain", address="Canon DR-C225", label="Canon"))
    with pytest.raises(SourceUnavailableError, match="TWAIN"):
        tw.TwainSource("Canon DR-C225", None).capabilities()


def test_wia_error_and_property_mapping() -> None:
    assert isinstance(wia.error_for_hresult(-2145320958), PaperJamError)  # 0x80210002 as COM gives it
    assert isinstance(wia.error_for_hresult(0x80210003), FeederEmptyError)
    assert isinstance(wia.error_for_hresult(0x80210016), CoverOpenError)
    assert isinstance(wia.error_for_hresult(0x80004005), DeviceIOError)
    plan = wia.wia_properties(ScanSettings(dpi=300, source="adf_duplex", color_mode="gray"))
    assert plan[wia.WIA_DPS_DOCUMENT_HANDLING_SELECT] == wia.FEEDER | wia.DUPLEX
    assert plan[wia.WIA_DPS_PAGES] == 0 and plan[wia.WIA_IPS_XRES] == 300
    assert plan[wia.WIA_IPS_CUR_INTENT] == wia.INTENT_GRAY
    flat = wia.wia_properties(ScanSettings(dpi=200))
    assert flat[wia.WIA_DPS_DOCUMENT_HANDLING_SELECT] == wia.FLATBED and flat[wia.WIA_DPS_PAGES] == 1
    if sys.platform != "win32":
        assert wia.discover() == []


def test_per_scanner_profile_is_remembered(tmp_path: Path) -> None:
    from tests.factories import make_db

    cdb = make_db(tmp_path / "c.db")
    try:
        assert tw.profile_for(cdb, "twain:Fujitsu fi-7160") is None
        tw.remember_profile(cdb, "twain:Fujitsu fi-7160", ScanSettings(dpi=300, source="adf_duplex"))
        tw.remember_profile(cdb, "sane:test:0", ScanSettings(dpi=150, color_mode="gray"))
        prof = tw.profile_for(cdb, "twain:Fujitsu fi-7160")
        assert prof is not None and (prof.dpi, prof.source, prof.color_mode) == (300, "adf_duplex", "color")
        other = tw.profile_for(cdb, "sane:test:0")
        assert other is not None and other.color_mode == "gray"
    finally:
        cdb.close()
