"""``counter-app``: with no sub-command it opens the window; sub-commands run headless.

    counter-app [--data-dir D]                       open the app
    counter-app demo-data --dossiers N [--data-dir D]
    counter-app init --agency-code C --agency-name N [--slot S] [--endpoint URL] [--admin-password P]
    counter-app import-catalogue FILE.json|FILE.csv
    counter-app sync [--once]                         sync with the provincial system (headless)
    counter-app check                                 integrity check of the database
    counter-app audit-verify                          verify the hash-chained audit trail
    counter-app backup --to DIR / restore BACKUP --to NEWDIR
    counter-app info                                  where the data lives, counts
    counter-app encrypt                               switch encryption on for existing data

Encrypted data directories (``keys.json``) are opened headless with the Windows key store, the
``COUNTER_APP_PASSPHRASE`` environment variable, or a passphrase prompt on a terminal.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from counter_app import __version__
from counter_app.errors import CounterError
from counter_app.paths import resolve_data_dir

log = logging.getLogger("counter_app.cli")
PASSPHRASE_ENV = "COUNTER_APP_PASSPHRASE"


def unlock_headless(root: Path, *, try_demo: bool = False) -> None:
    """Open the keys of an encrypted data directory without a window.

    Order: already open, the Windows key store, ``COUNTER_APP_PASSPHRASE``, the demo passphrase
    (demo data only), a prompt on a terminal. A plain directory needs nothing.
    """
    from counter_app import crypto, vault

    if not vault.encryption_on(root) or vault.ring(root) is not None:
        return
    if vault.open_with_os_store(root) is not None:
        return
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        vault.open_with_passphrase(root, env)
        return
    if try_demo:
        from counter_app.services.keys import DEMO_PASSPHRASE

        try:
            vault.open_with_passphrase(root, DEMO_PASSPHRASE)
            return
        except crypto.WrongSecret:
            pass
    if sys.stdin is not None and sys.stdin.isatty():
        vault.open_with_passphrase(root, getpass.getpass("Mật khẩu mã hóa dữ liệu: "))
        return
    raise vault.Locked(
        f"Dữ liệu tại {root} được mã hóa; cần mật khẩu mã hóa.",
        hint=f"Đặt biến môi trường {PASSPHRASE_ENV} hoặc chạy lệnh trong cửa sổ dòng lệnh để nhập mật khẩu.",
    )


def _new_passphrase() -> str:
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    if sys.stdin is None or not sys.stdin.isatty():
        raise CounterError("Cần mật khẩu mã hóa mới.",
                           hint=f"Đặt biến môi trường {PASSPHRASE_ENV} hoặc chạy trong cửa sổ dòng lệnh.")
    first = getpass.getpass("Mật khẩu mã hóa mới (ít nhất 8 ký tự): ")
    if len(first) < 8 or getpass.getpass("Nhập lại: ") != first:
        raise CounterError("Mật khẩu mã hóa quá ngắn hoặc hai lần nhập không khớp.", hint="Chạy lại lệnh.")
    return first


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="thư mục dữ liệu (mặc định: thư mục dữ liệu người dùng)")
    p = argparse.ArgumentParser(prog="counter-app", description="Quầy Một Cửa", parents=[common])
    p.add_argument("--version", action="version", version=f"counter-app {__version__}")
    sub = p.add_subparsers(dest="command")

    demo = sub.add_parser("demo-data", parents=[common], help="tạo dữ liệu mẫu")
    demo.add_argument("--dossiers", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--months", type=int, default=6)
    demo.add_argument("--no-files", action="store_true", help="không tạo tệp số hóa mẫu")
    demo.add_argument("--plain", action="store_true",
                      help="không mã hóa (mặc định: thư mục mới được mã hóa với mật khẩu «demo»)")

    init = sub.add_parser("init", parents=[common], help="cài đặt lần đầu (không cần giao diện)")
    init.add_argument("--agency-code", required=True)
    init.add_argument("--agency-name", required=True)
    init.add_argument("--parent-name", default="")
    init.add_argument("--slot", type=int, default=0, help="số máy tiếp nhận 0–9")
    init.add_argument("--endpoint", default="")
    init.add_argument("--admin-password", default="")
    init.add_argument("--data-passphrase", default="",
                      help=f"mật khẩu mã hóa dữ liệu (hoặc biến môi trường {PASSPHRASE_ENV}); bỏ trống: không mã hóa")

    imp = sub.add_parser("import-catalogue", parents=[common], help="nhập danh mục thủ tục (JSON/CSV)")
    imp.add_argument("file")

    sync = sub.add_parser("sync", parents=[common], help="đồng bộ với hệ thống một cửa của tỉnh")
    sync.add_argument("--once", action="store_true", help="một lượt rồi thoát (mã thoát 0 = đã gửi hết)")

    sub.add_parser("check", parents=[common], help="kiểm tra toàn vẹn cơ sở dữ liệu")
    sub.add_parser("audit-verify", parents=[common], help="kiểm tra chuỗi nhật ký (audit) không bị sửa")
    bk = sub.add_parser("backup", parents=[common], help="sao lưu cơ sở dữ liệu và tệp")
    bk.add_argument("--to", required=True, help="thư mục đích (ví dụ ổ USB)")
    rs = sub.add_parser("restore", parents=[common], help="khôi phục từ một bản sao lưu vào thư mục mới")
    rs.add_argument("backup")
    rs.add_argument("--to", required=True, help="thư mục dữ liệu mới (phải trống)")
    sub.add_parser("info", parents=[common], help="thông tin thư mục dữ liệu")
    sub.add_parser("encrypt", parents=[common], help="bật mã hóa cho dữ liệu đã có (in khóa khôi phục)")
    sub.add_parser("gui", parents=[common], help="mở cửa sổ ứng dụng")
    return p


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from counter_app.db.database import open_database

    data = resolve_data_dir(args.data_dir).ensure()
    return data, open_database(data.database)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``counter-app`` command."""
    args = _parser().parse_args(argv)
    if args.command in (None, "gui"):
        from counter_app.app import main as gui_main

        return gui_main(["--data-dir", args.data_dir] if args.data_dir else [])
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "sync":
        from counter_app.sync.runner import main_sync

        data = resolve_data_dir(args.data_dir)
        try:
            unlock_headless(data.root)
        except CounterError as exc:
            print(f"Lỗi: {exc.user_message()}", file=sys.stderr)
            return 2
        # Same engine as the app's background thread; opens its own connection and lock.
        return main_sync(data, once=args.once)
    try:
        return _run(args)
    except CounterError as exc:
        print(f"Lỗi: {exc.user_message()}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    data, cdb = _open(args)
    try:
        if args.command == "demo-data":
            from counter_app import vault
            from counter_app.db.setup import is_configured
            from counter_app.demo import generate
            from counter_app.services.keys import DEMO_PASSPHRASE

            if not args.plain and not vault.encryption_on(data.root) and not is_configured(cdb):
                vault.setup_encryption(data.root, DEMO_PASSPHRASE)  # demo only: the passphrase is public
                print(f"Dữ liệu mẫu được mã hóa; mật khẩu mã hóa: «{DEMO_PASSPHRASE}».", file=sys.stderr)
            unlock_headless(data.root, try_demo=True)
            if vault.encryption_on(data.root):
                cdb.set_setting(vault.ENCRYPTED_SETTING, True)

            def progress(done: int, total: int) -> None:
                print(f"\r{done}/{total} hồ sơ", end="", file=sys.stderr, flush=True)

            rep = generate(cdb, data.root, args.dossiers, seed=args.seed, months=args.months,
                           progress=progress, with_files=not args.no_files)
            print(f"\nĐã tạo {rep.dossiers} hồ sơ, {rep.citizens} công dân, {rep.files} tệp số hóa "
                  f"trong {rep.seconds:.1f} giây tại {data.root}")
        elif args.command == "init":
            from counter_app import vault
            from counter_app.db.setup import SetupInput, load_default_catalogue_into, run_setup

            passphrase = args.data_passphrase or os.environ.get(PASSPHRASE_ENV, "")
            recovery = ""
            if passphrase and not vault.encryption_on(data.root):
                _ring, recovery = vault.setup_encryption(data.root, passphrase)
            elif not passphrase:
                print("Cảnh báo: dữ liệu KHÔNG được mã hóa (chưa có mật khẩu mã hóa). "
                      "Bật sau bằng lệnh `counter-app encrypt`.", file=sys.stderr)
            run_setup(cdb, SetupInput(agency_code=args.agency_code, agency_name=args.agency_name,
                                      parent_name=args.parent_name, workstation_slot=args.slot,
                                      provincial_endpoint=args.endpoint, admin_password=args.admin_password))
            n = load_default_catalogue_into(cdb)
            if vault.encryption_on(data.root):
                cdb.set_setting(vault.ENCRYPTED_SETTING, True)
            print(f"Đã cài đặt {args.agency_code}; nạp {n} thủ tục.")
            if recovery:
                print(f"KHÓA KHÔI PHỤC (in và cất vào tủ an toàn, không lưu trên máy): {recovery}")
        elif args.command == "import-catalogue":
            from counter_app.db.catalogue import store_procedures
            from counter_app.domain.catalogue import load_catalogue, load_catalogue_csv

            loader = load_catalogue_csv if args.file.lower().endswith(".csv") else load_catalogue
            result = loader(args.file)
            for err in result.errors:
                print(str(err), file=sys.stderr)
            n = store_procedures(cdb, result.procedures, version=args.file)
            print(f"Đã nhập {n} thủ tục; {len(result.errors)} dòng lỗi bị bỏ qua.")
            return 0 if n or not result.errors else 1
        elif args.command == "audit-verify":
            from counter_app.db.backup import audit_verify_report

            ok, text = audit_verify_report(cdb)
            print(text)
            return 0 if ok else 1
        elif args.command == "backup":
            from counter_app.db.backup import create_backup, record_backup

            result = create_backup(data, args.to)
            record_backup(cdb, result)
            print(f"Đã sao lưu vào {getattr(result, 'path', args.to)}")
        elif args.command == "restore":
            from counter_app.db.backup import restore_backup

            rep = restore_backup(args.backup, args.to)
            print(f"Đã khôi phục vào {args.to}: {rep}")
        elif args.command == "check":
            from counter_app.db.audit import verify_chain
            from counter_app.db.files import archive_report

            ok = cdb.integrity_ok()
            print("Cơ sở dữ liệu toàn vẹn." if ok else "Cơ sở dữ liệu BỊ HỎNG — khôi phục từ bản sao lưu.")
            breaks = verify_chain(cdb) if ok else []
            print("Nhật ký (audit) nguyên vẹn." if not breaks else "\n".join(b.message() for b in breaks))
            files_ok, text = archive_report(data.database) if ok else (False, "")
            print(text)
            return 0 if ok and not breaks and files_ok else 1
        elif args.command == "encrypt":
            from counter_app import vault
            from counter_app.services.encryption import enable_encryption, encryption_pending, resume_encryption

            def enc_progress(stage: str, done: int, total: int) -> None:
                label = {"fields": "trường cá nhân", "files": "tệp"}.get(stage, stage)
                print(f"\r{label}: {done}/{total}", end="", file=sys.stderr, flush=True)

            if vault.encryption_on(data.root) and not encryption_pending(cdb):
                unlock_headless(data.root)
                counts = resume_encryption(cdb, progress=enc_progress)  # finds nothing left when complete
                print(f"\nDữ liệu đã được mã hóa từ trước ({counts}).")
                return 0
            if vault.encryption_on(data.root):
                unlock_headless(data.root)
                passphrase = os.environ.get(PASSPHRASE_ENV, "")
            else:
                passphrase = _new_passphrase()
            recovery = enable_encryption(cdb, passphrase, progress=enc_progress)
            print("\nĐã mã hóa dữ liệu.")
            print(f"KHÓA KHÔI PHỤC (in và cất vào tủ an toàn, không lưu trên máy): {recovery}")
        elif args.command == "info":
            from counter_app.db.dossiers import status_counts

            print(f"Thư mục dữ liệu: {data.root}")
            print(f"Cơ sở dữ liệu: {data.database}")
            print(f"Hồ sơ: {sum(status_counts(cdb).values())}")
            from counter_app import vault

            print("Mã hóa: " + ("có (keys.json)" if vault.encryption_on(data.root) else "KHÔNG"))
        return 0
    finally:
        cdb.close()


if __name__ == "__main__":
    raise SystemExit(main())
