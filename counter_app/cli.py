"""``counter-app``: with no sub-command it opens the window; sub-commands run headless.

    counter-app [--data-dir D]                       open the app
    counter-app demo-data --dossiers N [--data-dir D]
    counter-app init --agency-code C --agency-name N [--slot S] [--endpoint URL] [--admin-password P]
    counter-app import-catalogue FILE.json|FILE.csv
    counter-app sync [--once]                         sync with the provincial system (headless)
    counter-app check                                 integrity check of the database
    counter-app audit-verify [--anchors DIR] [--anchor "#ID:HASH"]   verify the audit trail
    counter-app backup --to DIR / restore BACKUP --to NEWDIR
    counter-app info                                  where the data lives, counts
    counter-app encrypt                               switch encryption on for existing data

Encrypted data directories (``keys.json``) are opened headless with the Windows key store, the
``COUNTER_APP_PASSPHRASE`` environment variable, or a passphrase prompt on a terminal.

Global options (``--data-dir``) work before or after the sub-command. Which folder a command uses,
and what it may do to it (issue #15):

- read-only commands (``check``, ``info``, ``audit-verify``, ``backup``) open the database
  read-only — they work while another process writes, on a read-only disk, and never create the
  folder; a folder without a database is an error, not a new empty installation;
- ``restore`` writes only to its ``--to`` folder;
- commands that write say which data directory they use (on stderr); only ``init`` and
  ``demo-data`` may create one, and ``demo-data`` refuses a real installation unless ``--force``;
- administrative commands (``backup``, ``restore``, ``encrypt``, ``demo-data`` on an installation
  with accounts, ``import-catalogue``) sign in with an account allowed to do them: asked on a
  terminal, or ``COUNTER_APP_USER``/``COUNTER_APP_PASSWORD`` for automation; audited.
"""

from __future__ import annotations

import argparse
import errno
import getpass
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from counter_app import __version__
from counter_app.errors import CounterError, EnvironmentProblem
from counter_app.paths import DataDir, resolve_data_dir

log = logging.getLogger("counter_app.cli")
PASSPHRASE_ENV = "COUNTER_APP_PASSPHRASE"
#: Commands that only read the data directory: opened read-only, never created.
READ_ONLY_COMMANDS = frozenset({"check", "info", "audit-verify", "backup"})
#: Commands that may create a new data directory (everything else needs an existing one).
CREATING_COMMANDS = frozenset({"init", "demo-data"})
#: Setting that marks a data directory filled by ``demo-data`` (so a second run is allowed).
DEMO_MARK = "demo_data"


USER_ENV = "COUNTER_APP_USER"
PASSWORD_ENV = "COUNTER_APP_PASSWORD"
#: Commands that act as an administrator (issue #15 item 8) and the permission each needs.
ADMIN_COMMANDS = {"backup": "backup.run", "restore": "backup.restore", "encrypt": "keys.manage",
                  "demo-data": "settings.change", "import-catalogue": "settings.change"}


def _credentials(command: str) -> tuple[str, str]:
    """User name and password for an administrative command: the environment, else a prompt."""
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if user and password is not None:
        return user, password
    if sys.stdin is not None and sys.stdin.isatty():
        print(f"Lệnh «{command}» cần đăng nhập tài khoản có quyền.", file=sys.stderr)
        return input("Tên đăng nhập: ").strip(), getpass.getpass("Mật khẩu: ")
    raise CounterError(
        f"Lệnh «{command}» cần tài khoản quản trị (hoặc lãnh đạo, với sao lưu).",
        hint=f"Chạy trong cửa sổ dòng lệnh để nhập, hoặc đặt biến môi trường {USER_ENV} và {PASSWORD_ENV}.")


def sign_in(cdb, command: str, *, writable: bool = True):  # type: ignore[no-untyped-def]
    """Who runs ``command``: checked against ``cdb``'s accounts, with the command's permission.

    ``writable``: a normal log-in (failure count, lock-out, audit) plus an audit entry naming the
    command. Otherwise the check writes nothing (a backup from a read-only disk, a restore checked
    against the backup's own accounts) and the caller audits where it can.
    """
    from counter_app.db import accounts, audit

    username, password = _credentials(command)
    if writable and os.environ.get(PASSPHRASE_ENV):
        unlock_headless(cdb.root)  # the log-in entries are keyed like the app's (audit MAC)
    if writable:
        user = accounts.authenticate(cdb, username, password)
    else:
        user = accounts.check_credentials(cdb, username, password)
    accounts.require(user, ADMIN_COMMANDS[command])
    if writable:
        audit.append(cdb, user.id, "cli_admin", "cli", command)
    return user


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
        from counter_app.services.keys import passphrase_problem

        problem = passphrase_problem(env, env)
        if problem:
            raise CounterError(problem, hint=f"Đặt {PASSPHRASE_ENV} là một mật khẩu mã hóa khó đoán hơn.")
        return env
    if sys.stdin is None or not sys.stdin.isatty():
        raise CounterError("Cần mật khẩu mã hóa mới.",
                           hint=f"Đặt biến môi trường {PASSPHRASE_ENV} hoặc chạy trong cửa sổ dòng lệnh.")
    from counter_app.services.keys import MIN_PASSPHRASE_LENGTH, passphrase_problem

    first = getpass.getpass(f"Mật khẩu mã hóa mới (ít nhất {MIN_PASSPHRASE_LENGTH} ký tự, khó đoán): ")
    problem = passphrase_problem(first, getpass.getpass("Nhập lại: "))
    if problem:
        raise CounterError(problem, hint="Chạy lại lệnh.")
    return first


def _parser() -> argparse.ArgumentParser:
    # The same option before and after the sub-command. The sub-parsers' copy has no default
    # (SUPPRESS): argparse lets a sub-parser's default overwrite the value parsed before the
    # sub-command, which sent `counter-app --data-dir D demo-data` to the default folder.
    p = argparse.ArgumentParser(prog="counter-app", description="Quầy Một Cửa")
    p.add_argument("--data-dir", help="thư mục dữ liệu (mặc định: thư mục dữ liệu người dùng)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.add_argument("--version", action="version", version=f"counter-app {__version__}")
    # (benchmarks, `dev.py run` timing) open the window, print the time to it, and exit
    p.add_argument("--quit-after-shown", action="store_true", help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command")

    demo = sub.add_parser("demo-data", parents=[common], help="tạo dữ liệu mẫu")
    demo.add_argument("--dossiers", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--months", type=int, default=6)
    demo.add_argument("--no-files", action="store_true", help="không tạo tệp số hóa mẫu")
    demo.add_argument("--plain", action="store_true",
                      help="không mã hóa (mặc định: thư mục mới được mã hóa với mật khẩu «demo»)")
    demo.add_argument("--force", action="store_true",
                      help="cho phép thêm dữ liệu mẫu vào thư mục đã là dữ liệu thật (không nên)")

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
    av = sub.add_parser("audit-verify", parents=[common], help="kiểm tra chuỗi nhật ký (audit) không bị sửa")
    av.add_argument("--anchors", action="append", default=[], metavar="DIR",
                    help="thư mục sao lưu (ổ USB, một bản sao lưu) chứa mốc nhật ký; dùng nhiều lần được")
    av.add_argument("--anchor", action="append", default=[], metavar="SO:MA",
                    help="mốc in trong báo cáo tháng hoặc do tỉnh cung cấp, ví dụ #1234:9f86d081884c7d65")
    bk = sub.add_parser("backup", parents=[common], help="sao lưu cơ sở dữ liệu và tệp")
    bk.add_argument("--to", required=True, help="thư mục đích (ví dụ ổ USB)")
    rs = sub.add_parser("restore", parents=[common], help="khôi phục từ một bản sao lưu vào thư mục mới")
    rs.add_argument("backup")
    rs.add_argument("--to", required=True, help="thư mục dữ liệu mới (phải trống)")
    sub.add_parser("info", parents=[common], help="thông tin thư mục dữ liệu")
    sub.add_parser("encrypt", parents=[common], help="bật mã hóa cho dữ liệu đã có (in khóa khôi phục)")
    sub.add_parser("gui", parents=[common], help="mở cửa sổ ứng dụng")
    return p


def _existing(data: DataDir) -> DataDir:
    """The data directory of a command that must not create one: it must hold a database."""
    if not data.database.is_file():
        raise EnvironmentProblem(
            f"Không có dữ liệu Quầy Một Cửa tại {data.root}.",
            hint="Kiểm tra --data-dir (đặt trước hoặc sau tên lệnh đều được) hoặc biến môi trường "
            "COUNTER_APP_DATA_DIR; lệnh này không tạo thư mục dữ liệu mới.")
    return data


def _writable(data: DataDir) -> DataDir:
    """Refuse up front, with what to do, a data directory this process cannot write."""
    from counter_app.db.database import read_only_problem

    # os.access answers False on a read-only mount even for an administrator (EROFS).
    if data.root.is_dir() and not os.access(data.root, os.W_OK):
        raise read_only_problem(data.root)
    return data


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The data directory and a connection suited to the command (read-only when it only reads)."""
    from counter_app.db.database import CounterDB, open_database

    data = resolve_data_dir(args.data_dir)
    if args.command in READ_ONLY_COMMANDS:
        return _existing(data), CounterDB(data.database, read_only=True)
    if args.command in CREATING_COMMANDS:
        existed = data.database.is_file()
        _writable(data).ensure()
        if existed:
            print(f"Dùng thư mục dữ liệu đã có: {data.root}", file=sys.stderr)
        else:
            print(f"Tạo thư mục dữ liệu mới: {data.root}", file=sys.stderr)
    else:
        _writable(_existing(data)).ensure()
        print(f"Dùng thư mục dữ liệu: {data.root}", file=sys.stderr)
    return data, open_database(data.database)


def _environment_message(exc: BaseException) -> str | None:
    """A SQLite or OS error the officer can act on, in Vietnamese (None: a bug, let it show)."""
    from counter_app.db.database import environment_error, os_problem

    if isinstance(exc, sqlite3.Error):
        problem = environment_error(exc, Path("counter.sqlite3"))
        return problem.user_message() if problem else None
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM,
                                                   errno.EIO, errno.EFBIG, errno.EDQUOT):
        where = Path(exc.filename) if exc.filename else Path(".")
        if exc.errno in (errno.EFBIG, errno.EDQUOT):
            exc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return os_problem(exc, where).user_message()
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``counter-app`` command."""
    args = _parser().parse_args(argv)
    if args.command in (None, "gui"):
        from counter_app.app import main as gui_main

        return gui_main((["--data-dir", args.data_dir] if args.data_dir else [])
                        + (["--quit-after-shown"] if args.quit_after_shown else []))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "sync":
            return _sync(args)
        return _run(args)
    except CounterError as exc:
        print(f"Lỗi: {exc.user_message()}", file=sys.stderr)
        return 2
    except (sqlite3.Error, OSError) as exc:
        # Environment trouble surfacing outside a translated path (disk full mid-command, a disk
        # turned read-only): a message with what to do. Anything else is a bug and shows in full.
        message = _environment_message(exc)
        if message is None:
            raise
        log.debug("environment error", exc_info=True)
        print(f"Lỗi: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return 130


def _sync(args: argparse.Namespace) -> int:
    from counter_app.sync.runner import main_sync

    data = _writable(_existing(resolve_data_dir(args.data_dir)))
    print(f"Dùng thư mục dữ liệu: {data.root}", file=sys.stderr)
    unlock_headless(data.root)
    # Same engine as the app's background thread; opens its own connection and lock.
    return main_sync(data, once=args.once)


def _refuse_real_installation(cdb, data: DataDir) -> None:  # type: ignore[no-untyped-def]
    """``demo-data`` never mixes fake dossiers into a real office's data without ``--force``.

    Real means: set up (an agency code) and neither marked by ``demo-data`` nor holding the demo
    accounts (a directory filled by the first-run window's «Tạo dữ liệu mẫu» has them).
    """
    from counter_app.db.setup import is_configured

    if not is_configured(cdb) or cdb.get_setting(DEMO_MARK, False):
        return
    demo_accounts = cdb.scalar("SELECT count(*) FROM users WHERE username IN ('canbo1', 'canbo2', 'giamsat')")
    if int(demo_accounts or 0) == 3:
        return
    from counter_app.db.settings import AgencySettings

    code = AgencySettings.load(cdb).agency_code
    n = int(cdb.scalar("SELECT count(*) FROM dossiers") or 0)
    raise CounterError(
        f"Thư mục {data.root} là dữ liệu thật của cơ quan {code} ({n} hồ sơ); không thêm dữ liệu mẫu vào đó.",
        hint="Chọn một thư mục trống bằng --data-dir. Chỉ thêm --force khi chắc chắn đây là máy thử.")


_DAMAGED_HINT = ("Khôi phục từ bản sao lưu gần nhất: «counter-app restore <bản sao lưu> --to <thư mục mới>» "
                 "(hoặc Cài đặt → Sao lưu → Khôi phục). Giữ nguyên thư mục hỏng để kiểm tra, đừng xóa.")


def _check(args: argparse.Namespace) -> int:
    """``counter-app check``: a report, never a traceback — a damaged database is what it is for."""
    from counter_app.db.audit import verify_chain
    from counter_app.db.database import CounterDB
    from counter_app.db.files import archive_report

    data = _existing(resolve_data_dir(args.data_dir))
    print(f"Kiểm tra thư mục dữ liệu: {data.root}")
    if os.environ.get(PASSPHRASE_ENV):
        # With the keys, every envelope is decrypted at its own place (issue #15 item 5).
        try:
            unlock_headless(data.root)
        except CounterError as exc:
            print(f"Không mở được khóa mã hóa ({exc.message}); chỉ kiểm tra mã SHA-256 của các tệp.")
    try:
        cdb = CounterDB(data.database, read_only=True)
    except EnvironmentProblem as exc:
        print(f"Cơ sở dữ liệu BỊ HỎNG hoặc không mở được: {exc.message}")
        print(_DAMAGED_HINT if "hỏng" in exc.message else (exc.hint or _DAMAGED_HINT))
        return 1
    try:
        try:
            found = [str(r[0]) for r in cdb.conn.execute("PRAGMA quick_check(20)")]
        except sqlite3.DatabaseError as exc:
            found = [str(exc)]
        if found != ["ok"]:
            print("Cơ sở dữ liệu BỊ HỎNG:")
            for line in found[:20]:
                print(f"• {line}")
            print(_DAMAGED_HINT)
            return 1
        print("Cơ sở dữ liệu toàn vẹn.")
        try:
            breaks = verify_chain(cdb)
            print("Nhật ký (audit) nguyên vẹn." if not breaks else "\n".join(b.message() for b in breaks))
            files_ok, text = archive_report(data.database)
        except (sqlite3.DatabaseError, EnvironmentProblem) as exc:
            # quick_check passed but a page read later failed: the damage is in the data itself.
            print(f"Cơ sở dữ liệu BỊ HỎNG khi đọc: {exc}")
            print(_DAMAGED_HINT)
            return 1
        print(text)
        return 0 if not breaks and files_ok else 1
    finally:
        cdb.close()


def _record_backup(data: DataDir, result, user_id: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """Note the backup in the database (audit, status bar) when the data directory is writable.

    The backup itself only reads; on a read-only or busy directory it is still valid and complete,
    so failing to note it is said, not fatal.
    """
    from counter_app.db.backup import record_backup
    from counter_app.db.database import CounterDB

    try:
        cdb = CounterDB(data.database, busy_timeout=3.0)
        try:
            record_backup(cdb, result, user_id)
        finally:
            cdb.close()
    except (EnvironmentProblem, sqlite3.Error, OSError) as exc:
        reason = exc.message if isinstance(exc, CounterError) else str(exc)
        print(f"Lưu ý: bản sao lưu đầy đủ nhưng chưa ghi được vào nhật ký của máy ({reason}).", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    if args.command == "check":
        return _check(args)
    if args.command == "restore":
        # Writes only to --to: never resolves (let alone creates) the default data directory.
        from counter_app.db.backup import DB_NAME, restore_backup
        from counter_app.db.database import CounterDB

        # The backup's own administrator (the accounts as they were), checked without writing to it.
        source = CounterDB(Path(args.backup) / DB_NAME, read_only=True)
        try:
            user = sign_in(source, "restore", writable=False)
        finally:
            source.close()
        rep = restore_backup(args.backup, args.to, user_id=user.id)
        print(f"Đã khôi phục vào {args.to}: {rep}")
        return 0
    data, cdb = _open(args)
    try:
        user = None
        if args.command in ("encrypt", "import-catalogue"):
            user = sign_in(cdb, args.command)
        elif args.command == "backup":
            user = sign_in(cdb, "backup", writable=False)  # audited with the backup entry below
        if args.command == "demo-data":
            from counter_app import vault
            from counter_app.db.setup import is_configured
            from counter_app.demo import generate
            from counter_app.services.keys import DEMO_PASSPHRASE

            if not args.force:
                _refuse_real_installation(cdb, data)
            if cdb.scalar("SELECT 1 FROM users LIMIT 1"):  # an installation with accounts: its admin only
                sign_in(cdb, "demo-data")
            cdb.set_setting(DEMO_MARK, True)
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
            from counter_app.db.accounts import check_password_policy
            from counter_app.db.setup import SetupInput, load_default_catalogue_into, run_setup
            from counter_app.services.keys import passphrase_problem

            passphrase = args.data_passphrase or os.environ.get(PASSPHRASE_ENV, "")
            recovery = ""
            # Issue #15 item 6: the same rules as the first-run window; «demo» is for demo-data only.
            context = (args.agency_code, args.agency_name)
            if args.admin_password:
                check_password_policy(args.admin_password, "admin", context=context)
            problem = passphrase_problem(passphrase, passphrase, admin_password=args.admin_password or None,
                                         context=context) if passphrase else None
            if problem:
                raise CounterError(problem)
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
            from counter_app import vault
            from counter_app.db.audit import parse_anchor
            from counter_app.db.backup import audit_verify_report

            try:
                typed = [parse_anchor(a) for a in args.anchor]
            except ValueError:
                raise CounterError("Mốc nhật ký không đúng dạng.",
                                   hint="Ghi như trong báo cáo tháng, ví dụ #1234:9f86d081884c7d65") from None
            if vault.encryption_on(data.root) and os.environ.get(PASSPHRASE_ENV):
                unlock_headless(data.root)  # with the keys, rows appended or rewritten by hand are found too
            ok, text = audit_verify_report(cdb, args.anchors, typed)
            print(text)
            if vault.encryption_on(data.root) and vault.ring(data.root) is None:
                print(f"(Chưa kiểm tra mã xác thực theo khóa: đặt {PASSPHRASE_ENV} để kiểm tra đầy đủ.)")
            return 0 if ok else 1
        elif args.command == "backup":
            from counter_app.db.backup import create_backup

            result = create_backup(data, args.to)
            print(f"Đã sao lưu vào {getattr(result, 'path', args.to)}")
            _record_backup(data, result, user.id if user else None)
        elif args.command == "encrypt":
            from counter_app import vault
            from counter_app.services.encryption import PENDING, enable_encryption, resume_encryption

            def enc_progress(stage: str, done: int, total: int) -> None:
                label = {"fields": "trường cá nhân", "files": "tệp"}.get(stage, stage)
                print(f"\r{label}: {done}/{total}", end="", file=sys.stderr, flush=True)

            # Not interrupted half-way: finish what is left (fields still to bind to their dossier
            # included) with the existing keys; a new recovery key only after an interrupted enable.
            if vault.encryption_on(data.root) and not cdb.get_setting(PENDING, False):
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
