"""Marking messages for translation without translating them yet (no Flask: the policy uses it)."""


def N_(message: str) -> str:
    """gettext_noop: mark `message` for extraction; it is translated where it is shown."""
    return message
