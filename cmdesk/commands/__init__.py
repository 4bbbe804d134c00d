"""Subcommands of the ``cmdesk`` command line, one module per noun (workspace, channel, post ...)."""
