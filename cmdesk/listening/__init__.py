"""Listening: saved searches read through a channel, and the alert words watched in what comes in."""
