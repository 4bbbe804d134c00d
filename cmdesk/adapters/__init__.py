"""Network adapters: one module per network behind the protocol in :mod:`cmdesk.adapters.base`."""
