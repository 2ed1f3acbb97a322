"""The sync client against the real simulator process: login, errors, TLS, uploads, services."""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from counter_app.errors import CounterError
from counter_app.sync import protocol as p
from counter_app.sync.client import (
    CertificateNotTrusted,
    ClientConfig,
    LocalFileProblem,
    LoginRejected,
    ProvincialClient,
    Rejected,
    ServerUnreachable,
)

if TYPE_CHECKING:  # fixtures come from tests/sync/conftest.py
    from conftest import RunningSimulator, SimulatorFactory

_seq = iter(range(1, 10**6))


def client_for(sim: RunningSimulator, password: str = "demo", **kw: Any) -> ProvincialClient:
    """A client on the simulator; trusts its certificate when it has one."""
    kw.setdefault("timeout", 10.0)
    kw.setdefault("retry_delay", 0.01)
    return ProvincialClient(ClientConfig(sim.url, "demo", password, ca_file=str(sim.cert) if sim.cert else None,
                                         **kw))


def dossier(code: str | None = None, **extra: Any) -> dict[str, Any]:
    """A minimal valid dossier in DVCQG form."""
    d = {"MaHoSo": code or f"H01.37.01-261123-{next(_seq):04d}-{time.monotonic_ns() % 10**6:06d}",
         "MaTTHC": "1.001193", "TenTTHC": "Đăng ký khai sinh", "KenhThucHien": 1, "ChuHoSo": "Nguyễn Văn A",
         "NgayTiepNhan": "20261005100000", "NgayHenTra": "20261006100000", "TrangThaiHoSo": 2, "HinhThuc": 0,
         "TaiLieuNop": [], "DanhSachLePhi": []}
    d.update(extra)
    return d


def test_wrong_password_and_stopped_server_give_different_vietnamese_errors(
        simulator_factory: SimulatorFactory, shared_simulator: RunningSimulator) -> None:
    with client_for(shared_simulator, password="sai-mat-khau") as client, pytest.raises(LoginRejected) as bad_login:
        client.catalogue()
    sim = simulator_factory.start("--no-progress")
    url = sim.url
    sim.stop()
    with ProvincialClient(ClientConfig(url, "demo", "demo", retries=1, retry_delay=0.01, timeout=3)) as client, \
            pytest.raises(ServerUnreachable) as unreachable:
        client.catalogue()
    assert isinstance(bad_login.value, CounterError) and isinstance(unreachable.value, CounterError)
    assert bad_login.value.message.startswith("Sai tài khoản hoặc mật khẩu")
    assert unreachable.value.message.startswith("Không kết nối được máy chủ")
    assert bad_login.value.user_message() != unreachable.value.user_message()
    assert bad_login.value.kind == "login" and unreachable.value.kind == "unreachable"


def test_self_signed_certificate_refused_unless_its_ca_is_configured(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory.start("--no-progress", "--tls")
    assert sim.url.startswith("https://") and sim.cert is not None
    # Verification is on by default: the system CAs do not know this certificate.
    with ProvincialClient(ClientConfig(sim.url, "demo", "demo", retry_delay=0.01)) as client, \
            pytest.raises(CertificateNotTrusted) as refused:
        client.catalogue()
    assert refused.value.message.startswith("Chứng chỉ máy chủ không được tin cậy")
    with client_for(sim) as client:
        version, entries = client.catalogue()
    assert version >= 1 and entries


def test_missing_ca_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CertificateNotTrusted, match="Không tìm thấy tệp chứng chỉ"):
        ProvincialClient(ClientConfig("https://127.0.0.1:1", "demo", "demo", ca_file=str(tmp_path / "none.pem")))


def test_expired_session_logs_in_again_once(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory.start("--no-progress", "--session-ttl", "1")
    with client_for(sim) as client:
        client.catalogue()
        time.sleep(1.3)
        client.catalogue()  # 401 session_expired → log in again → same call again
        assert client.logins == 2
    assert sim.admin(p.ADMIN_STATS_PATH)["counters"]["sessions_expired"] >= 1


def test_create_twice_becomes_update_never_a_duplicate(shared_simulator: RunningSimulator) -> None:
    d = dossier()
    with client_for(shared_simulator) as client:
        assert client.sync_dossier(d) == "created"
        # A retry after a lost reply: the create is answered "đã tồn tại" and sent as an update.
        assert client.sync_dossier(d) == "unchanged"
        assert client.sync_dossier({**d, "SoDienThoai": "0912345678"}) == "updated"
        # The counter believes it exists but the province does not know it: update → create.
        assert client.sync_dossier(dossier(), exists=True) == "created"
    held = shared_simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=d["MaHoSo"])["dossiers"]
    assert len(held) == 1 and held[0]["received"]["SoDienThoai"] == "0912345678"


def test_business_refusal_carries_the_servers_message(shared_simulator: RunningSimulator) -> None:
    with client_for(shared_simulator) as client, pytest.raises(Rejected) as refused:
        client.sync_dossier(dossier(MaTTHC=""))
    assert refused.value.error_code == p.ErrorCode.INVALID_FIELD and not refused.value.retryable
    assert "MaTTHC" in refused.value.server_message and "từ chối" in refused.value.message


def test_upload_resumes_at_the_servers_offset_and_verifies(shared_simulator: RunningSimulator,
                                                            tmp_path: Path) -> None:
    data = bytes(range(256)) * 40  # 10,240 bytes
    path = tmp_path / "scan.pdf"
    path.write_bytes(data)
    sha, file_id = hashlib.sha256(data).hexdigest(), p.new_file_id()
    # Another run got 4,096 bytes through before the line dropped (plain HTTP, no client of ours).
    with shared_simulator.client() as raw:
        token = raw.post(p.LOGIN_PATH, json={"username": "demo", "password": "demo"}).json()["token"]
        raw.headers["Authorization"] = f"Bearer {token}"
        raw.post(p.FILES_PATH, json={"file_id": file_id, "name": "scan.pdf", "size": len(data), "sha256": sha})
        assert raw.put(p.file_path(file_id), content=data[:4096], headers={p.UPLOAD_OFFSET_HEADER: "0"}).json()[
            "offset"] == 4096
    seen: list[int] = []
    with client_for(shared_simulator, chunk_size=2048) as client:
        status = client.upload_file(file_id, path, name="scan.pdf", size=len(data), sha256=sha,
                                    progress=lambda done, total: seen.append(done))
        assert status.complete and status.offset == len(data)
        assert seen[0] == 4096 + 2048  # resumed, the first 4 KiB were not sent again
        # Uploading again is a no-op answered by the announce.
        assert client.upload_file(file_id, path, name="scan.pdf", size=len(data), sha256=sha).complete
    held = {f["file_id"]: f for f in shared_simulator.admin(p.ADMIN_FILES_PATH)["files"]}
    assert held[file_id]["complete"] and held[file_id]["sha256"] == sha


def test_a_file_changed_on_disk_is_refused_before_sending(shared_simulator: RunningSimulator,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4 original")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(b"%PDF-1.4 damaged!")  # same size, other bytes
    file_id = p.new_file_id()
    with client_for(shared_simulator) as client, pytest.raises(LocalFileProblem) as problem:
        client.upload_file(file_id, path, name="scan.pdf", size=len(b"%PDF-1.4 original"), sha256=sha)
    assert "SHA-256 không khớp" in problem.value.message and not problem.value.retryable
    assert file_id not in {f["file_id"] for f in shared_simulator.admin(p.ADMIN_FILES_PATH)["files"]}


def test_lookup_since_cursor_and_download(simulator_factory: SimulatorFactory, tmp_path: Path) -> None:
    sim = simulator_factory.start("--tick", "0.1", "--progress-speed", "0.2", "--supplement-rate", "0")
    d = dossier()
    with client_for(sim) as client:
        client.sync_dossier(d)
        deadline = time.monotonic() + 20
        while True:
            [view] = client.lookup([d["MaHoSo"]])
            if view["TrangThaiHoSo"] == p.STATUS_DONE or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert view["TrangThaiHoSo"] == p.STATUS_DONE
        reply = client.changes_since(0)
        assert d["MaHoSo"] in {x["MaHoSo"] for x in reply.data} and reply.cursor and reply.cursor > 0
        assert client.changes_since(reply.cursor).data == []
        [doc] = view["DanhSachGiayToKetQua"]
        sha, size = client.download(doc["DuongDanTepTinKetQua"], tmp_path / "kq.pdf")
    assert (tmp_path / "kq.pdf").read_bytes().startswith(b"%PDF") and size == (tmp_path / "kq.pdf").stat().st_size
    assert hashlib.sha256((tmp_path / "kq.pdf").read_bytes()).hexdigest() == sha


def test_secrets_never_logged_nor_shown(shared_simulator: RunningSimulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    config = ClientConfig(shared_simulator.url, "demo", "mat-khau-bi-mat")
    with client_for(shared_simulator) as client:
        client.catalogue()
        token = client._token
        assert token
        assert "mat-khau-bi-mat" not in repr(config) and "password" not in repr(config)
        assert token not in repr(client)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert token not in text and '"password"' not in text


def test_retries_transport_faults_transparently(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory.start("--no-progress", "--reset-rate", "0.2", "--lost-reply-rate", "0.2",
                                  "--fail-rate", "0.1", "--fault-seed", "5")
    codes = []
    with client_for(sim, retries=8) as client:
        for _ in range(30):
            d = dossier()
            codes.append(d["MaHoSo"])
            assert client.sync_dossier(d) in ("created", "unchanged")
    stats = sim.admin(p.ADMIN_STATS_PATH)
    assert stats["dossiers"] == 30 and stats["counters"]["dossiers_created"] == 30
    assert stats["faults"]["reset"] and stats["faults"]["lost_reply"]


def test_http_client_is_httpx(shared_simulator: RunningSimulator) -> None:
    # The verify argument is an SSLContext or True, never a path (httpx 0.28 deprecation).
    assert ClientConfig("http://x", "u", "p").verify() is True
    with client_for(shared_simulator) as client:
        assert isinstance(client._http, httpx.Client)
