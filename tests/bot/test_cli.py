"""The CLI contract of DESIGN.md, run as a newcomer would: `python -m bot …` in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def run_bot(*args, stdin="", cwd=None, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_ask_prints_answer_and_source(tmp_path):
    proc = run_bot("ask", "5s la gi", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Sàng lọc" in proc.stdout and "Nguồn:" in proc.stdout


def test_ask_json_contract(tmp_path):
    proc = run_bot("ask", "--json", "dn ocop 3* dc ho tro gi", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert set(data) == {"status", "answer", "entry_id", "score", "suggestions", "source"}
    assert data["status"] == "answered" and data["entry_id"] and data["source"]
    assert all(set(s) == {"entry_id", "question"} for s in data["suggestions"])


def test_ask_json_batch_keeps_order(tmp_path):
    questions = ["5s la gi", "", "asdfgh qwerty", "kaizen là gì", "xin chào"]
    proc = run_bot("ask", "--json", "-", stdin="\n".join(questions) + "\n", cwd=tmp_path)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == len(questions)
    assert lines[0]["entry_id"] == "5s-la-gi"
    assert lines[1]["status"] == "fallback" and lines[2]["status"] == "fallback"
    assert lines[3]["entry_id"] == "kaizen-la-gi"


def test_chat_numbers_back_and_ctrl_d(tmp_path):
    # Ask, open the detail ("Xem chi tiết" is 1), pick the first "ask next" choice under it, go back, pick a
    # number that is not there, leave (EOF).
    proc = run_bot("chat", stdin="5s la gi\n1\n1\n0\n99\n", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "1. Xem chi tiết" in out and "Sàng lọc (Seiri)" in out
    assert "2. Bắt đầu làm 5S ở xưởng nhỏ" in out  # the related entry by its short label
    assert "Không có lựa chọn số 99" in out
    assert out.rstrip().endswith("Tạm biệt! Khi cần, bạn cứ quay lại hỏi nhé.")
    assert "Traceback" not in proc.stderr


def test_chat_clarify_by_number(tmp_path):
    proc = run_bot("chat", stdin="iso\n1\n", cwd=tmp_path)
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr


def test_run_without_tokens_is_the_console(tmp_path):
    proc = run_bot("run", stdin="5s la gi\n", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "console" in proc.stderr
    assert "Sàng lọc, Sắp xếp" in proc.stdout and "1. Xem chi tiết" in proc.stdout
    # Contact details unset: one warning for the operator, and answers never name a settings file.
    assert "contact details unset (SUPPORT_CONTACT_PHONE" in proc.stderr and ".env" not in proc.stdout


def test_bad_knowledge_dir_is_one_clear_line(tmp_path):
    proc = run_bot("ask", "5s", cwd=tmp_path, env_extra={"KNOWLEDGE_DIR": str(tmp_path / "none")})
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def test_mistyped_settings_are_one_line_each_without_their_values(tmp_path):
    token = "123456:not-a-number-port"
    proc = run_bot(
        "ask", "5s", cwd=tmp_path, env_extra={"EMBEDDING_THREADS": "0", "WEB_PORT": token, "EMBEDDINGS": "none"}
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["setting EMBEDDING_THREADS", "setting WEB_PORT"]
    assert token not in proc.stderr


@pytest.mark.parametrize("command", [["ask"], ["kb"], ["nope"]])
def test_usage_errors(tmp_path, command):
    proc = run_bot(*command, cwd=tmp_path)
    assert proc.returncode == 2 and "usage:" in proc.stderr


def test_campaign_commands_speak_vietnamese_and_refuse_what_names_nothing(tmp_path):
    # Few runs on purpose: each one starts Python and loads the knowledge base (seconds).
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db"}
    refused = run_bot("campaign", "create", "--text", "Lớp 5S", "--audience", "topic:5s", cwd=tmp_path, env_extra=env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "không có chủ đề «5s»; chọn một trong:" in refused.stderr and "cong-cu-cai-tien" in refused.stderr
    made = run_bot(
        "campaign", "create", "--text", "Lớp 5S", "--when", "thứ Hai hàng tuần lúc 8h", cwd=tmp_path, env_extra=env
    )
    assert made.returncode == 0, made.stderr
    campaign_id = made.stdout.strip()
    asked = run_bot("campaign", "cancel", campaign_id, cwd=tmp_path, env_extra=env)
    assert asked.returncode == 3 and "--yes" in asked.stderr
    shown = json.loads(run_bot("campaign", "show", campaign_id, "--json", cwd=tmp_path, env_extra=env).stdout)
    assert shown["thời_điểm"] == "08:00 thứ Hai hằng tuần" and shown["người_nhận"] == "Tất cả người đăng ký"
    assert shown["trạng_thái"] == "đã lên lịch"  # nothing changed without --yes
    done = run_bot("campaign", "cancel", campaign_id, "--yes", cwd=tmp_path, env_extra=env)
    assert done.returncode == 0 and "Đã hủy chiến dịch" in done.stdout
    report = run_bot("campaign", "report", campaign_id, cwd=tmp_path, env_extra=env)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / f"bao-cao-chien-dich-{campaign_id}.xlsx").read_bytes()[:2] == b"PK"
