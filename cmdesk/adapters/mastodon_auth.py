"""Connecting a Mastodon account: kept for older imports; the flow is in ``mastodon.auth``.

Everything here is re-exported from :mod:`cmdesk.adapters.mastodon.auth` (and its
:mod:`~cmdesk.adapters.mastodon.server`, :mod:`~cmdesk.adapters.mastodon.oauth` and
:mod:`~cmdesk.adapters.mastodon.loopback` steps); new code imports from there.
"""

from cmdesk.adapters.mastodon.auth import (
    CALLBACK_PATH,
    GENERIC_SCOPES,
    MASTODON_SCOPES,
    OOB_REDIRECT_URI,
    SIGN_IN_TIMEOUT,
    AppRegistration,
    BrowserSignIn,
    LoopbackReceiver,
    Pkce,
    ServerInfo,
    authorize_url,
    check_server,
    code_from_paste,
    exchange_code,
    new_state,
    normalize_base_url,
    register_app,
)

__all__ = [
    "CALLBACK_PATH",
    "GENERIC_SCOPES",
    "MASTODON_SCOPES",
    "OOB_REDIRECT_URI",
    "SIGN_IN_TIMEOUT",
    "AppRegistration",
    "BrowserSignIn",
    "LoopbackReceiver",
    "Pkce",
    "ServerInfo",
    "authorize_url",
    "check_server",
    "code_from_paste",
    "exchange_code",
    "new_state",
    "normalize_base_url",
    "register_app",
]
