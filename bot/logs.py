"""Logging set-up: the LOG_LEVEL setting applied, plain text for a terminal or one JSON object per line."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log every request at INFO: their lines add nothing at our INFO level.
# aiosqlite logs every statement with its parameters at DEBUG: tokens and personal data would reach the log.
CHATTY_LIBRARIES = ("httpx", "httpcore", "apscheduler", "aiohttp.access", "alembic", "aiosqlite")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors on servers."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def level_of(name: str) -> int:
    """A LOG_LEVEL value as a logging level; an unknown word falls back to INFO."""
    value = logging.getLevelName(name.strip().upper())
    return value if isinstance(value, int) else logging.INFO


class SecretFilter(logging.Filter):
    """Takes tokens and secrets out of every record before it is written, whoever logs it (httpx logs
    each Bot API URL, and the token is part of the URL)."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        # Longest first, so a secret that contains another is replaced whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg = self.redact(record.getMessage())
            record.args = None
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


def configure_logging(level: str, fmt: str = "text", verbose: bool = False, secrets: list[str] | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(SecretFilter(secrets or []))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    chosen = logging.DEBUG if verbose else level_of(level)
    root.setLevel(chosen)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(max(chosen, logging.WARNING))
