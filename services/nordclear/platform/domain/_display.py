"""How a rejected value is shown inside an error message (shared by the domain helpers)."""

from __future__ import annotations

from typing import Final

# Error messages repeat the offending value; very long input is cut so that a hostile file cannot
# bloat every log line and response with megabytes of its own text.
_MAX_SHOWN_CHARS: Final = 64


def shown(value: object) -> object:
    """``value`` itself, or its first 64 characters and an ellipsis when it is a longer string."""
    if isinstance(value, str) and len(value) > _MAX_SHOWN_CHARS:
        return value[:_MAX_SHOWN_CHARS] + "…"
    return value
