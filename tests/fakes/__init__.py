"""Test doubles shared by the core, UI and end-to-end tests."""
