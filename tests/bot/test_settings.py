"""Settings read from the environment: the quiet-hours window a staff member sets or turns off."""

import pytest

from bot.settings import load_settings
from bot.wiring import broadcast_config


@pytest.mark.parametrize(
    "value, window",
    [
        ("off", ("", "")),
        ("OFF", ("", "")),
        ("không", ("", "")),
        ("22:00-06:30", ("22:00", "06:30")),
        (" 21:00 - 07:00 ", ("21:00", "07:00")),
        # An empty variable is ignored like every empty one, so the default window stays.
        ("", ("21:00", "07:00")),
    ],
)
def test_quiet_hours_from_the_environment(monkeypatch, value, window):
    monkeypatch.setenv("QUIET_HOURS", value)
    settings = load_settings(_env_file=None)
    assert settings.quiet_window == window
    config = broadcast_config(settings)
    assert (config.quiet_start, config.quiet_end) == window
