"""cmdesk's test suite."""
