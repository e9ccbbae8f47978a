"""The console's commands as an operator runs them: accounts from the shell, and `python -m bot web` alone."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.bot.test_cli import ROOT, run_bot

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_accounts_from_the_shell(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db"}
    made = run_bot(
        "admin",
        "add-user",
        "Ten@So.vn",
        "--role",
        "admin",
        "--password-stdin",
        stdin="mat-khau-du-dai\n",
        cwd=tmp_path,
        env_extra=env,
    )
    assert made.returncode == 0 and "đã tạo tài khoản ten@so.vn (Quản trị viên)" in made.stdout
    again = run_bot(
        "admin", "add-user", "ten@so.vn", "--password-stdin", stdin="mat-khau-du-dai\n", cwd=tmp_path, env_extra=env
    )
    assert again.returncode == 1 and "đã có tài khoản ten@so.vn" in again.stderr
    weak = run_bot(
        "admin", "reset-password", "ten@so.vn", "--password-stdin", stdin="ngan\n", cwd=tmp_path, env_extra=env
    )
    assert weak.returncode == 1 and "ít nhất 10 ký tự" in weak.stderr
    off = run_bot("admin", "disable", "ten@so.vn", cwd=tmp_path, env_extra=env)
    assert off.returncode == 0 and "đã khóa tài khoản ten@so.vn" in off.stdout
    shown = run_bot("admin", "show", "ten@so.vn", cwd=tmp_path, env_extra=env)
    assert shown.returncode == 0 and "Email: ten@so.vn" in shown.stdout and "Đã khóa: có" in shown.stdout
    gone = run_bot("admin", "erase", "ten@so.vn", cwd=tmp_path, env_extra=env)
    assert gone.returncode == 0 and "(tài khoản đã xóa #1)" in gone.stdout and "ten@so.vn" not in gone.stdout
    errors = made.stderr + again.stderr + weak.stderr + off.stderr + shown.stderr + gone.stderr
    assert "Traceback" not in errors


def test_web_alone_serves_the_console_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(port),
        EMBEDDINGS="off",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "web"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/dang-nhap", timeout=2) as page:
                    assert page.status == 200 and "Đăng nhập" in page.read().decode()
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "the console did not start"
                time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert f"Trang quản trị: http://127.0.0.1:{port}/admin" in err and "Traceback" not in err
    assert Path(tmp_path / "bot.db").exists()
