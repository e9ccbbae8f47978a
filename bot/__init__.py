"""Trợ lý Năng suất: the application shell (settings, wiring, CLI, web server)."""

__version__ = "0.1.0"
