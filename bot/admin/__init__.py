"""The web console under /admin: accounts, the knowledge-base editor with its test pane, history, settings."""
