"""The one error type start-up raises for a configuration problem: printed as one clear line, no traceback."""


class StartupError(Exception):
    """Misconfiguration found at start-up (missing or rejected token, unreachable API, bad settings)."""
