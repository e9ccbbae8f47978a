"""Campaigns: audience fan-out, the delivery outbox, the rate-limited sender, APScheduler triggers."""
