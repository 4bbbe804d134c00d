"""cmdesk: the core of a desktop workspace for community managers (no Qt below this package)."""

__version__ = "0.1.0"
