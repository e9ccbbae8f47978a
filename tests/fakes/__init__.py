"""Fakes of the platform HTTP APIs (Telegram, Zalo) that the real client code talks to in tests."""
