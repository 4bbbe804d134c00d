"""Tests of the core (no Qt)."""
