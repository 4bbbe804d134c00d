"""End-to-end tests: the real ``cmdesk`` processes against local fake network servers."""
