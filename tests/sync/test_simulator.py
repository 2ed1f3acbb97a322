"""The provincial-system simulator, exercised as a real process over real HTTP(S)."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from counter_app.sync import protocol as p

if TYPE_CHECKING:  # fixtures come from tests/sync/conftest.py; importing it at run time is fragile
    from conftest import RunningSimulator, SimulatorFactory

REPO_ROOT = Path(__file__).resolve().parents[2]

_codes = itertools.count(1)


def new_code() -> str:
    """A dossier code unique within the test run (shape of DOMAIN §3)."""
    return f"H15.50.05.13-261123-{next(_codes):04d}-{time.monotonic_ns() % 100000:05d}"


def login(client: httpx.Client, username: str = "demo", password: str = "demo") -> str:
    """Log in and set the bearer header; retries transport errors and 5xx (faulty servers)."""
    for _ in range(50):
        try:
            response = client.post(p.LOGIN_PATH, json={"username": username, "password": password})
        except httpx.TransportError:
            continue
        if response.status_code >= 500:
            continue
        reply = p.LoginReply.from_json(response.json())
        client.headers["Authorization"] = f"Bearer {reply.token}"
        return reply.token
    raise AssertionError("could not log in")


def service(client: httpx.Client, name: str, data: list[Any] | None = None, *, is_updating: bool = False,
            **extra: Any) -> dict[str, Any]:
    """One call to ``/api/service`` (no retries), returning the JSON body."""
    response = client.post(p.SERVICE_PATH, json=p.make_envelope(name, data, is_updating=is_updating, **extra))
    assert response.status_code == 200, response.text
    return response.json()


def upload(client: httpx.Client, data: bytes, *, chunk: int = 64 * 1024) -> str:
    """Offer and upload a whole file; returns its id."""
    file_id = p.new_file_id()
    offer = client.post(p.FILES_PATH, json={"file_id": file_id, "name": "scan.pdf", "size": len(data),
                                           "sha256": p.sha256_hex(data)})
    assert offer.status_code == 201, offer.text
    offset = 0
    while offset < len(data):
        response = client.put(p.file_path(file_id), content=data[offset:offset + chunk],
                              headers={p.UPLOAD_OFFSET_HEADER: str(offset)})
        assert response.status_code == 200, response.text
        offset = response.json()["offset"]
    return file_id


def dossier(code: str, file_ids: Sequence[str] = (), **fields: Any) -> dict[str, Any]:
    """A minimal valid dossier referencing ``file_ids``."""
    item: dict[str, Any] = {
        "MaHoSo": code, "MaTTHC": "1.001193", "TenTTHC": "Đăng ký khai sinh", "MaLinhVuc": "HT",
        "TenLinhVuc": "Hộ tịch", "KenhThucHien": 1, "ChuHoSo": "Nguyễn Văn A", "LoaiDoiTuong": 1,
        "NgayTiepNhan": "20261123090000", "NgayHenTra": "20261124170000", "TrangThaiHoSo": 2, "HinhThuc": 0,
        "TaiLieuNop": [{"TepDinhKemId": fid, "TenTepDinhKem": f"tp{i}.pdf", "MaThanhPhanHoSo": f"TP0{i}",
                        "IsDeleted": False, "DuocSoHoa": True} for i, fid in enumerate(file_ids, start=1)],
    }
    item.update(fields)
    return item


# --- basic protocol (one shared, fault-free simulator) ----------------------------------------


def test_login_ok_and_bad(shared_simulator: RunningSimulator) -> None:
    with shared_simulator.client() as client:
        bad = client.post(p.LOGIN_PATH, json={"username": "demo", "password": "sai"})
        assert bad.status_code == 401
        assert bad.json() == {"error_code": "401", "message": p.MSG_BAD_CREDENTIALS, "reason": "bad_credentials"}
        good = client.post(p.LOGIN_PATH, json={"username": "demo", "password": "demo"})
        assert good.status_code == 200
        body = good.json()
        assert body["error_code"] == "0" and body["token"] and body["expires_in"] == 3600
        anonymous = client.post(p.SERVICE_PATH, json=p.make_envelope(p.Service.CATALOGUE))
        assert anonymous.status_code == 401 and anonymous.json()["reason"] == "unauthenticated"
    # The token must never reach the logs.
    assert body["token"] not in shared_simulator.stderr()


def test_create_duplicate_then_update(shared_simulator: RunningSimulator) -> None:
    with shared_simulator.client() as client:
        login(client)
        file_id = upload(client, b"%PDF-1.4 scan " * 100)
        code = new_code()
        first = dossier(code, [file_id])
        assert service(client, p.Service.SYNC_DOSSIER, [first])["error_code"] == "0"

        again = service(client, p.Service.SYNC_DOSSIER, [first])
        assert p.ServiceReply.from_json(again).already_exists
        assert again["error_code"] == "-3" and "đã tồn tại" in again["message"] and code in again["message"]

        changed = dict(first, SoDienThoai="0912345678", TrichYeuHoSo="Khai sinh cho con")
        updated = service(client, p.Service.SYNC_DOSSIER, [changed], is_updating=True)
        assert updated["error_code"] == "0" and updated["results"][0]["result"] == "updated"
        # Repeating an update (a retry after a lost reply) is accepted and changes nothing.
        repeated = service(client, p.Service.SYNC_DOSSIER, [changed], is_updating=True)
        assert repeated["error_code"] == "0" and repeated["results"][0]["result"] == "unchanged"
        unknown = service(client, p.Service.SYNC_DOSSIER, [dossier(new_code())], is_updating=True)
        assert unknown["error_code"] == p.ErrorCode.NOT_FOUND

    [held] = shared_simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=code)["dossiers"]
    assert held["received"] == changed and held["received_sha256"] == p.content_sha256(changed)
    assert held["update_count"] == 1
    assert held["files"][0]["sha256"] == p.sha256_hex(b"%PDF-1.4 scan " * 100) and held["files"][0]["complete"]


@pytest.mark.parametrize(("field", "value"), [
    ("MaHoSo", ""), ("MaTTHC", None), ("NgayTiepNhan", "2026-11-23"), ("NgayTiepNhan", "20261399000000"),
    ("TrangThaiHoSo", 11), ("TrangThaiHoSo", True), ("KenhThucHien", 4), ("NgayHenTra", "tomorrow"),
])
def test_invalid_fields_are_rejected(shared_simulator: RunningSimulator, field: str, value: Any) -> None:
    item = dossier(new_code(), **{field: value})
    with shared_simulator.client() as client:
        login(client)
        reply = service(client, p.Service.SYNC_DOSSIER, [item])
    assert reply["error_code"] == p.ErrorCode.INVALID_FIELD and reply["field"] == field, reply
    if item["MaHoSo"]:
        assert shared_simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=item["MaHoSo"])["count"] == 0


def test_dossier_with_missing_or_incomplete_file_is_rejected(shared_simulator: RunningSimulator) -> None:
    data = b"x" * 10_000
    with shared_simulator.client() as client:
        login(client)
        complete = upload(client, b"complete file")
        partial = p.new_file_id()
        client.post(p.FILES_PATH, json={"file_id": partial, "name": "half.pdf", "size": len(data),
                                        "sha256": p.sha256_hex(data)})
        client.put(p.file_path(partial), content=data[:5000], headers={p.UPLOAD_OFFSET_HEADER: "0"})
        never = p.new_file_id()
        for missing in (never, partial):
            code = new_code()
            reply = service(client, p.Service.SYNC_DOSSIER, [dossier(code, [complete, missing])])
            assert reply["error_code"] == p.ErrorCode.FILE_MISSING and reply["missing_file"] == missing, reply
            assert missing in reply["message"]
            assert shared_simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=code)["count"] == 0
        # A deleted attachment (IsDeleted) does not need its file.
        code = new_code()
        item = dossier(code, [complete])
        item["TaiLieuNop"].append({"TepDinhKemId": never, "TenTepDinhKem": "old.pdf", "IsDeleted": True})
        assert service(client, p.Service.SYNC_DOSSIER, [item])["error_code"] == "0"


def test_resumable_upload(shared_simulator: RunningSimulator) -> None:
    data = bytes(range(256)) * 4000  # ~1 MB "scan"
    file_id, sha = p.new_file_id(), p.sha256_hex(data)
    offer = {"file_id": file_id, "name": "scan.pdf", "size": len(data), "sha256": sha}
    half = len(data) // 2
    with shared_simulator.client() as client:
        login(client)
        assert client.post(p.FILES_PATH, json=offer).json()["offset"] == 0
        assert client.put(p.file_path(file_id), content=data[:half],
                          headers={p.UPLOAD_OFFSET_HEADER: "0"}).json()["offset"] == half
    # "Cut": a new connection and a new session, as after the line dropped.
    with shared_simulator.client() as client:
        login(client)
        repeated = client.post(p.FILES_PATH, json=offer)
        assert repeated.status_code == 200 and repeated.json()["offset"] == half  # idempotent offer
        status = p.UploadStatus.from_json(client.get(p.file_status_path(file_id)).json())
        assert (status.offset, status.complete) == (half, False)
        head = client.head(p.file_status_path(file_id))
        assert head.headers[p.UPLOAD_OFFSET_HEADER] == str(half) and head.headers[p.UPLOAD_COMPLETE_HEADER] == "0"
        # Resuming from zero is refused with the server's offset, so the client can jump there.
        wrong = client.put(p.file_path(file_id), content=data[:1000], headers={p.UPLOAD_OFFSET_HEADER: "0"})
        assert wrong.status_code == 409 and wrong.json()["offset"] == half
        done = client.put(p.file_path(file_id), content=data[half:], headers={p.UPLOAD_OFFSET_HEADER: str(half)})
        assert done.status_code == 200 and done.json()["complete"] is True
        # A retried last chunk (reply lost) learns that everything is there.
        late = client.put(p.file_path(file_id), content=data[half:], headers={p.UPLOAD_OFFSET_HEADER: str(half)})
        assert late.status_code == 409 and late.json()["complete"] is True
        download = client.get(p.file_path(file_id))
        assert download.content == data and download.headers["X-Content-SHA256"] == sha
        conflict = client.post(p.FILES_PATH, json=dict(offer, sha256="0" * 64))
        assert conflict.status_code == 409

        # A file whose bytes do not match the announced SHA-256 is refused and discarded.
        bad_id = p.new_file_id()
        client.post(p.FILES_PATH, json={"file_id": bad_id, "name": "bad.pdf", "size": 1000,
                                        "sha256": p.sha256_hex(b"y" * 1000)})
        client.put(p.file_path(bad_id), content=b"z" * 500, headers={p.UPLOAD_OFFSET_HEADER: "0"})
        refused = client.put(p.file_path(bad_id), content=b"z" * 500, headers={p.UPLOAD_OFFSET_HEADER: "500"})
        assert refused.status_code == 422 and refused.json()["error_code"] == p.ErrorCode.CHECKSUM_MISMATCH
        after = client.get(p.file_status_path(bad_id)).json()
        assert after["offset"] == 0 and after["complete"] is False
    files = {f["file_id"]: f for f in shared_simulator.admin(p.ADMIN_FILES_PATH)["files"]}
    assert files[file_id]["complete"] and files[file_id]["sha256"] == sha


def test_progress_is_idempotent(shared_simulator: RunningSimulator) -> None:
    code = new_code()
    step = {"MaHoSo": code, "IdTienDo": p.new_file_id(), "NguoiXuLy": "Trần Thị B", "ChucDanh": "Công chức",
            "ThoiDiemXuLy": "20261123093000", "PhongBanXuLy": "Bộ phận một cửa", "NoiDungXuLy": "Tiếp nhận",
            "TrangThai": 2, "NgayBatDau": "20261123093000", "NgayKetThucTheoQuyDinh": "20261124170000"}
    with shared_simulator.client() as client:
        login(client)
        assert service(client, p.Service.UPDATE_PROGRESS, [step])["error_code"] == p.ErrorCode.NOT_FOUND
        service(client, p.Service.SYNC_DOSSIER, [dossier(code)])
        assert service(client, p.Service.UPDATE_PROGRESS, [step])["results"][0]["result"] == "created"
        assert service(client, p.Service.UPDATE_PROGRESS, [step])["results"][0]["result"] == "duplicate"
        clash = service(client, p.Service.UPDATE_PROGRESS, [dict(step, NoiDungXuLy="khác")])
        assert clash["error_code"] == p.ErrorCode.CONFLICT
        bad = service(client, p.Service.UPDATE_PROGRESS, [dict(step, ThoiDiemXuLy="hôm nay")])
        assert bad["error_code"] == p.ErrorCode.INVALID_FIELD
        [found] = service(client, p.Service.LOOKUP, [code])["data"]
    assert found["QuaTrinhXuLy"] == [step]


def test_lookup_since_cursor_returns_only_changes(shared_simulator: RunningSimulator) -> None:
    with shared_simulator.client() as client:
        login(client)
        start = service(client, p.Service.LOOKUP, since=0, limit=1)["latest"]
        codes = [new_code() for _ in range(3)]
        service(client, p.Service.SYNC_DOSSIER, [dossier(c) for c in codes])
        service(client, p.Service.SYNC_DOSSIER, [dossier(codes[0], GhiChu="sửa")], is_updating=True)
        first = service(client, p.Service.LOOKUP, since=start, limit=2)
        assert first["has_more"] is True and len(first["data"]) == 2
        rest = service(client, p.Service.LOOKUP, since=first["cursor"])
        seen = [d["MaHoSo"] for d in first["data"] + rest["data"]]
        assert sorted(seen) == sorted(codes) and seen[-1] == codes[0]  # updated last, returned once
        assert service(client, p.Service.LOOKUP, since=rest["cursor"])["data"] == []
        by_code = service(client, p.Service.LOOKUP, [codes[1], "KHONG-CO"])
        assert [d["MaHoSo"] for d in by_code["data"]] == [codes[1]] and by_code["not_found"] == ["KHONG-CO"]


def test_catalogue(shared_simulator: RunningSimulator) -> None:
    with shared_simulator.client() as client:
        login(client)
        full = service(client, p.Service.CATALOGUE)
        assert full["error_code"] == "0" and full["version"] >= 1 and full["data"]
        entry = full["data"][0]
        assert {"MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "PhienBan", "ChiTiet"} <= entry.keys()
        assert service(client, p.Service.CATALOGUE, since=full["version"])["data"] == []
        assert service(client, p.Service.CATALOGUE_ALIAS)["data"] == full["data"]
        assert service(client, "KhongCo")["error_code"] == p.ErrorCode.UNKNOWN_SERVICE


# --- faults ------------------------------------------------------------------------------------


def test_lost_reply_commits_before_the_disconnect(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory.start("--lost-reply-rate", "0.5", "--fault-seed", "3", "--no-progress")
    lost: list[str] = []
    lost_again = 0  # replies of the retries below that were lost too (same fault, same counter)
    with sim.client() as client:
        login(client)
        for _ in range(12):
            code = new_code()
            try:
                reply = service(client, p.Service.SYNC_DOSSIER, [dossier(code)])
            except httpx.TransportError:
                lost.append(code)
                continue
            assert reply["error_code"] == "0"
        assert lost, "with rate 0.5 and this seed some replies must be lost"
        # The client saw a disconnect, but the dossier arrived; a retry hears "đã tồn tại".
        for code in lost:
            assert sim.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=code)["count"] == 1
            # Bounded: at rate 0.5, 20 lost replies in a row (p ≈ 1e-6) means the fault never clears.
            for _attempt in range(20):
                try:
                    again = service(client, p.Service.SYNC_DOSSIER, [dossier(code)])
                    break
                except httpx.TransportError:
                    lost_again += 1
            else:
                pytest.fail(f"the retry of {code} lost its reply 20 times in a row")
            assert again["error_code"] == "-3"
    stats = sim.admin(p.ADMIN_STATS_PATH)
    # Every disconnect the client saw is a lost reply the simulator counted; it counts more than the
    # client saw (8 against 6 with this seed): not every lost reply surfaces as a TransportError here.
    assert stats["faults"]["lost_reply"] >= len(lost) + lost_again and stats["dossiers"] == 12


def _outcomes(sim: RunningSimulator, count: int) -> list[str]:
    """Send ``count`` authenticated look-ups and name what happened to each."""
    out = []
    with sim.client() as client:
        login(client)
        for _ in range(count):
            try:
                response = client.post(p.SERVICE_PATH, json=p.make_envelope(p.Service.CATALOGUE, since=10**6))
            except httpx.TransportError:
                out.append("transport")
                continue
            out.append(str(response.status_code))
    return out


def test_fail_and_reset_rates_are_seeded(simulator_factory: SimulatorFactory) -> None:
    args = ("--fail-rate", "0.2", "--reset-rate", "0.15", "--fault-seed", "42", "--no-progress")
    first, second = simulator_factory.start(*args), simulator_factory.start(*args)
    outcomes = _outcomes(first, 300)
    assert outcomes == _outcomes(second, 300)  # same seed, same sequence
    fails, resets = outcomes.count("500"), outcomes.count("transport")
    assert fails + resets + outcomes.count("200") == 300
    assert 0.12 * 300 < fails < 0.28 * 300 and 0.08 * 300 < resets < 0.22 * 300
    # Admin views are never faulted, so tests can always inspect.
    for _ in range(20):
        stats = first.admin(p.ADMIN_STATS_PATH)
    assert stats["faults"]["fail"] >= fails and stats["faults"]["reset"] >= resets


def test_session_expiry_gives_401_then_relogin_works(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory.start("--session-ttl", "1", "--users", "canbo:mat-khau,demo:demo", "--no-progress")
    with sim.client() as client:
        login(client, "canbo", "mat-khau")
        assert service(client, p.Service.CATALOGUE, since=10**6)["error_code"] == "0"
        time.sleep(1.3)
        expired = client.post(p.SERVICE_PATH, json=p.make_envelope(p.Service.CATALOGUE))
        assert expired.status_code == 401
        assert expired.json() == {"error_code": "401", "message": p.MSG_SESSION_EXPIRED, "reason": "session_expired"}
        login(client, "canbo", "mat-khau")
        assert service(client, p.Service.CATALOGUE, since=10**6)["error_code"] == "0"
    assert sim.admin(p.ADMIN_STATS_PATH)["counters"]["sessions_expired"] == 1


def test_tls_self_signed_refused_unless_trusted(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory.start("--tls", "--no-progress")
    assert sim.url.startswith("https://") and sim.cert is not None and sim.cert.exists()
    with httpx.Client(base_url=sim.url, timeout=10) as default_client, pytest.raises(httpx.ConnectError):
        default_client.post(p.LOGIN_PATH, json={"username": "demo", "password": "demo"})
    with sim.client() as trusting:  # verify = SSLContext(cafile=cert)
        login(trusting)
        assert service(trusting, p.Service.CATALOGUE)["error_code"] == "0"
    info = json.loads((sim.data_dir / "simulator.json").read_text())
    assert info["cert"] == str(sim.cert) and info["port"] == sim.port


# --- simulated processing, persistence --------------------------------------------------------


def _wait_for_status(client: httpx.Client, code: str, wanted: int, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        [found] = service(client, p.Service.LOOKUP, [code])["data"]
        if found["TrangThaiHoSo"] == wanted:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{code} did not reach status {wanted}")


def test_progression_to_supplement_then_done_with_result(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory.start("--progress-speed", "0.3", "--tick", "0.1", "--supplement-rate", "1")
    code = new_code()
    with sim.client() as client:
        login(client)
        start = service(client, p.Service.LOOKUP, since=0)["latest"]
        service(client, p.Service.SYNC_DOSSIER, [dossier(code)])
        supplement = _wait_for_status(client, code, p.STATUS_SUPPLEMENT)
        assert [s["TrangThai"] for s in supplement["QuaTrinhXuLy"]] == [4, 5]
        # The citizen brings the missing paper; the counter sends the dossier back as "Đang xử lý".
        service(client, p.Service.SYNC_DOSSIER, [dossier(code, TrangThaiHoSo=4)], is_updating=True)
        done = _wait_for_status(client, code, p.STATUS_DONE)
        assert done["NgayKetThucXuLy"] and [s["TrangThai"] for s in done["QuaTrinhXuLy"]] == [4, 5, 9]
        [result] = done["DanhSachGiayToKetQua"]
        assert result["DuongDanTepTinKetQua"].startswith(sim.url)
        pdf = client.get(result["DuongDanTepTinKetQua"])
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-1.4")
        assert pdf.headers["X-Content-SHA256"] == hashlib.sha256(pdf.content).hexdigest()
        # The counter pulls the changes incrementally.
        changes = service(client, p.Service.LOOKUP, since=start)
        assert [d["MaHoSo"] for d in changes["data"]] == [code]
        # Re-sending the counter's unchanged copy must not undo the province's progress.
        service(client, p.Service.SYNC_DOSSIER, [dossier(code, TrangThaiHoSo=4)], is_updating=True)
        assert service(client, p.Service.LOOKUP, [code])["data"][0]["TrangThaiHoSo"] == p.STATUS_DONE
    pypdf = pytest.importorskip("pypdf")
    assert len(pypdf.PdfReader(io.BytesIO(pdf.content)).pages) == 1


def test_restart_keeps_everything(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory.start("--no-progress")
    data = b"scan page " * 20_000
    half = len(data) // 2
    with sim.client() as client:
        login(client)
        done_id = upload(client, b"complete scan")
        code = new_code()
        service(client, p.Service.SYNC_DOSSIER, [dossier(code, [done_id])])
        partial_id = p.new_file_id()
        client.post(p.FILES_PATH, json={"file_id": partial_id, "name": "big.pdf", "size": len(data),
                                        "sha256": p.sha256_hex(data)})
        client.put(p.file_path(partial_id), content=data[:half], headers={p.UPLOAD_OFFSET_HEADER: "0"})
        old_token = client.headers["Authorization"]
    before = sim.admin(p.ADMIN_DOSSIERS_PATH)
    assert sim.stop() == 0  # SIGTERM is a graceful shutdown

    again = simulator_factory.start("--no-progress", data_dir=sim.data_dir)
    assert again.admin(p.ADMIN_DOSSIERS_PATH) == before
    with again.client() as client:
        client.headers["Authorization"] = old_token
        stale = client.get(p.file_status_path(partial_id))
        assert stale.status_code == 401 and stale.json()["reason"] == "session_expired"  # sessions are in memory
        login(client)
        assert client.get(p.file_status_path(partial_id)).json()["offset"] == half
        done = client.put(p.file_path(partial_id), content=data[half:], headers={p.UPLOAD_OFFSET_HEADER: str(half)})
        assert done.json()["complete"] is True
        assert client.get(p.file_path(partial_id)).content == data

    listed = subprocess.run([sys.executable, "-m", "counter_dev.simulator", "list", "--data",
                             str(sim.data_dir)], capture_output=True, text=True, cwd=REPO_ROOT, check=True,
                            timeout=60)
    printed = json.loads(listed.stdout)
    assert [d["MaHoSo"] for d in printed["dossiers"]] == [code]
    assert printed["stats"]["files_complete"] == 2


class RetryingClient:
    """The minimum a sync client must do against a faulty server: retry, re-login, resume."""

    def __init__(self, sim: RunningSimulator) -> None:
        self.http = sim.client()
        self.retries = 0
        login(self.http)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send until a non-5xx reply arrives; log in again on 401."""
        for _ in range(200):
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError:
                self.retries += 1
                continue
            if response.status_code >= 500:
                self.retries += 1
                continue
            if response.status_code == 401:
                login(self.http)
                continue
            return response
        raise AssertionError(f"{method} {path} never succeeded")

    def upload(self, data: bytes) -> str:
        """Resumable upload: always continue from the offset the server reports."""
        file_id = p.new_file_id()
        status = self.call("POST", p.FILES_PATH, json={"file_id": file_id, "name": "scan.pdf", "size": len(data),
                                                       "sha256": p.sha256_hex(data)}).json()
        while not status["complete"]:
            offset = status["offset"]
            status = self.call("PUT", p.file_path(file_id), content=data[offset:offset + 4096],
                               headers={p.UPLOAD_OFFSET_HEADER: str(offset)}).json()
        return file_id

    def send_dossier(self, item: dict[str, Any]) -> None:
        """Create; on "đã tồn tại" (an earlier attempt arrived) update with the same content."""
        reply = self.call("POST", p.SERVICE_PATH, json=p.make_envelope(p.Service.SYNC_DOSSIER, [item])).json()
        if p.ServiceReply.from_json(reply).already_exists:
            reply = self.call("POST", p.SERVICE_PATH,
                              json=p.make_envelope(p.Service.SYNC_DOSSIER, [item], is_updating=True)).json()
        assert reply["error_code"] == "0", reply


def test_everything_arrives_exactly_once_under_faults(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory.start("--fail-rate", "0.1", "--reset-rate", "0.1", "--lost-reply-rate", "0.1",
                                  "--fault-seed", "11", "--no-progress")
    client = RetryingClient(sim)
    sent: dict[str, tuple[dict[str, Any], str]] = {}
    for index in range(40):
        data = hashlib.sha256(str(index).encode()).digest() * (300 + index)  # ~10 KB, 3 chunks
        item = dossier(new_code(), [client.upload(data)])
        client.send_dossier(item)
        sent[item["MaHoSo"]] = (item, p.sha256_hex(data))
    client.http.close()
    assert client.retries > 10  # the faults really happened
    held = sim.admin(p.ADMIN_DOSSIERS_PATH)["dossiers"]
    assert sorted(h["MaHoSo"] for h in held) == sorted(sent)
    for entry in held:
        item, file_sha = sent[entry["MaHoSo"]]
        assert entry["received_sha256"] == p.content_sha256(item) and entry["update_count"] == 0
        assert [(f["sha256"], f["complete"]) for f in entry["files"]] == [(file_sha, True)]


def test_tls_with_given_certificate(simulator_factory: SimulatorFactory, tmp_path: Path) -> None:
    from counter_dev.simulator.tls import ensure_self_signed

    cert, key = ensure_self_signed(tmp_path / "given")
    sim = simulator_factory.start("--cert", str(cert), "--key", str(key), "--no-progress")
    assert sim.url.startswith("https://") and sim.cert == cert
    with sim.client() as client:
        login(client)


def test_latency_applies_to_api_not_admin(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory.start("--latency-ms", "500", "--jitter-ms", "50", "--no-progress")
    with sim.client() as client:
        login(client)
        started = time.perf_counter()
        service(client, p.Service.CATALOGUE, since=10**6)
        assert time.perf_counter() - started >= 0.5
        started = time.perf_counter()
        client.get(p.ADMIN_STATS_PATH).raise_for_status()
        assert time.perf_counter() - started < 0.5


# --- issue #16: what the province is told (fees, due date after an apology, field codes, dates) ---


def test_what_the_province_is_told_after_reception_apology_and_refusal(
        shared_simulator: RunningSimulator, make_counter: Any) -> None:
    """A real counter database synced to the real simulator; the province's view is read back."""
    from datetime import datetime

    from counter_app.db import dossiers as repo
    from counter_app.db.catalogue import store_procedures
    from counter_app.domain.calendar import WorkCalendar
    from counter_app.reports import indicators as ind
    from counter_app.sync import mapping
    from counter_app.sync.client import ClientConfig, ProvincialClient
    from counter_app.sync.worker import SyncConfig, sync_once
    from tests.factories import BIRTH

    counter = make_counter("told", endpoint=shared_simulator.url)
    cdb, cal = counter.cdb, WorkCalendar.default()
    # A fee the provincial council sets and nobody entered (row 1).
    store_procedures(cdb, [{**BIRTH, "code": "1.001022", "name": "Đăng ký nhận cha, mẹ, con", "fees": [
        {"code": "LP01", "name": "Lệ phí nhận cha, mẹ, con", "kind": "le_phi", "amount": None,
         "set_by_province": True}]}], version="test")

    def receive(code: str, at: datetime, **kw: Any) -> int:
        comps = [repo.ComponentInput("TK"), repo.ComponentInput("GCS"), repo.ComponentInput("CCCD", "shown")]
        return repo.receive(cdb, repo.ReceptionInput(procedure_code=code, components=comps,
                                                     applicant=repo.ApplicantInput(full_name="Phạm Văn Sáu"),
                                                     received_at=at, **kw), cal, now=at).dossier_id

    mon = datetime(2026, 10, 5, 10, 0)
    late = receive("1.001193", mon)                    # due Tue 6/10 17:00 (1 working day)
    repo.record_apology(cdb, late, reason="Chờ xác minh", new_due_at=datetime(2026, 10, 12, 17, 0),
                        now=datetime(2026, 10, 6, 16, 0))
    repo.transition(cdb, late, 9, now=datetime(2026, 10, 8, 10, 0))  # after the legal date, before the new one
    unentered = receive("1.001022", mon)
    online = receive("1.001193", mon, channel=2, submitted_at=datetime(2026, 10, 3, 21, 15))
    refused = receive("1.001193", mon)
    repo.transition(cdb, refused, 5, now=datetime(2026, 10, 5, 11, 0))
    repo.transition(cdb, refused, 3, now=datetime(2026, 10, 6, 9, 30))
    cdb.conn.execute("UPDATE dossiers SET updated_at = '2026-10-20 08:00:00' WHERE id = ?", (refused,))
    # Row 9: the app's own "HT" is not a national field code; flagged before sync, never sent.
    assert [r["field_code"] for r in mapping.unmapped_field_codes(cdb)] == ["HT"]

    config = ClientConfig(shared_simulator.url, "demo", "demo", retry_delay=0.01,
                          ca_file=str(shared_simulator.cert) if shared_simulator.cert else None)
    with ProvincialClient(config) as client:
        sync_once(cdb, counter.root, client, config=SyncConfig(catalogue_interval=None))

    def held(dossier_id: int) -> dict[str, Any]:
        code = cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (dossier_id,))
        [view] = shared_simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=code)["dossiers"]
        return view["received"]

    # Row 2: the legal due date stays NgayHenTra; the new appointment is in the progress entry.
    sent = held(late)
    assert sent["NgayHenTra"] == "20261006170000" and sent["NgayKetThucXuLy"] == "20261008100000"
    with ProvincialClient(config) as client:
        [view] = client.lookup([sent["MaHoSo"]])
    [step] = view["QuaTrinhXuLy"]
    assert step["NgayKetThucTheoQuyDinh"] == "20261006170000" and step["NgayHenTraMoi"] == "20261012170000"
    # … so the province's on-time figure (finished on or before NgayHenTra) and the app's agree.
    province_on_time = sent["NgayKetThucXuLy"] <= sent["NgayHenTra"]
    october = ind.month_figures(ind.load_facts(cdb), 2026, 10)
    assert (october.finished, october.on_time) == (1, int(province_on_time)) == (1, 0)
    # Row 1: the unentered fee travels without an amount; the entered one with its amount.
    assert held(unentered)["DanhSachLePhi"] == [
        {"TenPhiLePhi": "Lệ phí nhận cha, mẹ, con", "MaPhiLePhi": "LP01", "HinhThucThu": 1, "LoaiPhiLePhi": 2}]
    assert [f["Gia"] for f in sent["DanhSachLePhi"]] == [8000]
    # Row 12: submission time for an online filing; the refusal event's time, not the last update.
    assert held(online)["NgayNopHoSo"] == "20261003211500" and sent["NgayNopHoSo"] == "20261005100000"
    assert held(refused)["NgayTuChoi"] == "20261006093000"
    assert all(held(d)["MaLinhVuc"] == "" for d in (late, unentered, online, refused))
    # Once the admin enters the national code, it is what travels.
    mapping.set_national_field_code(cdb, "HT", "G09-HT")
    assert mapping.dossier_payload(cdb, late)["MaLinhVuc"] == "G09-HT"
    assert mapping.national_field_code(cdb, "HT") == "G09-HT"
