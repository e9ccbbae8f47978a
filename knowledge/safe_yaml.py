"""YAML as the knowledge base reads it: the safe loader without anchors and aliases, which entries never
need and which, nested, multiply a small file into gigabytes ("billion laughs")."""

from __future__ import annotations

from typing import Any

import yaml


class _NoAliases(yaml.SafeLoader):
    """SafeLoader without anchors and aliases: entries never need them, and nested aliases multiply."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", None)
        return super().compose_node(parent, index)


def load_yaml(text: str) -> Any:
    """yaml.safe_load without aliases (ComposerError, a YAMLError, if the text has one)."""
    return yaml.load(text, Loader=_NoAliases)
