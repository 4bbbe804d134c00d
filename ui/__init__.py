"""The PySide6 front end of cmdesk.

Everything Qt lives here. The UI talks to the core only through the services of an
``AppContext``, the DTOs they return, ``cmdesk.errors`` and the change sets of ``cmdesk.events``;
it never opens a database session (an import-linter contract in ``pyproject.toml`` enforces it).
"""
