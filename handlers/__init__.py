"""The conversation, channel-agnostic: it reads `Incoming` and returns `Reply` objects."""
