"""The Zalo Official Account channel (Open API v3): client, webhook, token keeper and sending rules."""
