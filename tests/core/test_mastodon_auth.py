"""Connecting a Mastodon account against FakeMastodon: server check, app, loopback, code exchange."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from cmdesk.adapters.base import PermanentError
from cmdesk.adapters.http import NotSent, TimeoutSession
from cmdesk.adapters.mastodon.auth import (
    GENERIC_SCOPES,
    MASTODON_SCOPES,
    OOB_REDIRECT_URI,
    BrowserSignIn,
    LoopbackReceiver,
    Pkce,
    authorize_url,
    check_server,
    code_from_paste,
    exchange_code,
    new_state,
    normalize_base_url,
    register_app,
)
from tests.fakes.mastodon_server import FakeMastodon


@pytest.fixture
def http() -> Iterator[TimeoutSession]:
    session = TimeoutSession((1.0, 2.0))
    yield session
    session.close()


@pytest.fixture
def server() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        yield fake


def browse(url: str) -> requests.Response:
    """What the browser does with the authorize page: follow the server's redirect once."""
    return requests.get(url, allow_redirects=False, timeout=2)


def verified(fake: FakeMastodon, token: str) -> bool:
    answer = requests.get(
        f"{fake.url}/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {token}"},
        timeout=2,
    )
    return answer.status_code == 200 and answer.json()["username"] == "alice"


# --- the server -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "base"),
    [
        ("mastodon.social", "https://mastodon.social"),
        ("  https://Mastodon.Social/@someone ", "https://mastodon.social"),
        ("@brand@fosstodon.org", "https://fosstodon.org"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
    ],
)
def test_normalize_base_url(typed: str, base: str) -> None:
    assert normalize_base_url(typed) == base


@pytest.mark.parametrize("typed", ["", "ftp://x.org", "http://mastodon.social", "not a host"])
def test_normalize_base_url_refuses(typed: str) -> None:
    with pytest.raises(PermanentError):
        normalize_base_url(typed)


def test_check_server_recognises_mastodon_and_gotosocial(http: TimeoutSession) -> None:
    with FakeMastodon() as fake:
        info = check_server(http, fake.url)
        assert (info.software, info.version, info.base_url) == ("mastodon", "4.3.2", fake.url)
        assert info.scopes == MASTODON_SCOPES
        fake.instance_v2_body = None  # v1 only
        assert check_server(http, fake.url).software == "mastodon"
    with FakeMastodon(software="gotosocial") as fake:
        info = check_server(http, fake.url)
        assert info.software == "gotosocial" and info.scopes == GENERIC_SCOPES


class _NotMastodon(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body>My blog</body></html>"
        self.send_response(404 if "/api/" in self.path else 200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def blog() -> Iterator[str]:
    """A local web server that is not Mastodon: 404 HTML for the API."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _NotMastodon)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def test_a_web_site_that_is_not_mastodon_is_refused(blog: str, http: TimeoutSession) -> None:
    with pytest.raises(PermanentError, match="does not look like a Mastodon server"):
        check_server(http, blog)
    with pytest.raises(PermanentError, match="does not look like a Mastodon server"):
        BrowserSignIn.start(http, blog)


def test_a_server_answering_html_with_200_is_refused(http: TimeoutSession) -> None:
    with FakeMastodon() as fake:
        fake.instance_v2_body = b"<html>hello</html>"
        fake.instance_v1_body = b"[1, 2, 3]"
        with pytest.raises(PermanentError, match="does not look like a Mastodon server"):
            check_server(http, fake.url)


def test_an_unreachable_host_is_not_sent(http: TimeoutSession) -> None:
    with FakeMastodon() as fake:
        url = fake.url
    with pytest.raises(NotSent, match="does not look like a Mastodon server"):
        check_server(http, url)  # nothing listens there any more


# --- app, URL, code exchange ----------------------------------------------------------------------


def test_register_app_and_exchange_a_code(server: FakeMastodon, http: TimeoutSession) -> None:
    redirect = "http://127.0.0.1:9/callback"
    app = register_app(http, server.url, [redirect, OOB_REDIRECT_URI], client_name="cmdesk test")
    assert app.client_id and app.client_secret and app.redirect_uris == (redirect, OOB_REDIRECT_URI)
    assert app.client_secret not in repr(app)
    registered = next(r for r in server.requests if r.path == "/api/v1/apps")
    assert registered.params["redirect_uris"] == [f"{redirect}\n{OOB_REDIRECT_URI}"]
    assert registered.params["scopes"] == [MASTODON_SCOPES]

    pkce, state = Pkce.make(), new_state()
    url = authorize_url(app, redirect, state=state, code_challenge=pkce.challenge, force_login=True)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["state"] == state and query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == redirect and query["force_login"] == "true"
    assert query["scope"] == MASTODON_SCOPES and pkce.verifier not in url

    location = browse(url).headers["Location"]
    back = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert back["state"] == state
    with pytest.raises(PermanentError, match="did not accept the sign-in code"):
        exchange_code(http, app, back["code"], redirect, code_verifier="wrong-verifier")
    fresh = parse_qs(urlsplit(browse(url).headers["Location"]).query)["code"][0]
    secret = exchange_code(http, app, fresh, redirect, code_verifier=pkce.verifier)
    assert secret["token_type"] == "Bearer" and secret["client_id"] == app.client_id
    assert verified(server, secret["access_token"])


def test_a_refused_registration_says_so(server: FakeMastodon, http: TimeoutSession) -> None:
    with pytest.raises(PermanentError, match="refused to register cmdesk"):
        register_app(http, server.url, [], client_name="cmdesk")


# --- the loopback receiver ------------------------------------------------------------------------


def test_loopback_receiver_takes_the_code_with_the_right_state() -> None:
    with LoopbackReceiver("s3cret-state") as receiver:
        assert receiver.redirect_uri.startswith("http://127.0.0.1:")
        page = requests.get(receiver.redirect_uri + "?code=abcd1234&state=s3cret-state", timeout=2)
        assert page.status_code == 200 and "You can close this tab" in page.text
        assert receiver.wait(1) == "abcd1234"
        again = requests.get(receiver.redirect_uri + "?code=zzzz9999&state=s3cret-state", timeout=2)
        assert "already finished" in again.text and receiver.wait(1) == "abcd1234"


def test_loopback_receiver_ignores_a_wrong_state_and_other_paths() -> None:
    with LoopbackReceiver("right") as receiver:
        forged = requests.get(receiver.redirect_uri + "?code=evil1234&state=wrong", timeout=2)
        assert forged.status_code == 400
        odd = requests.get(receiver.redirect_uri + "?code=evil1234&state=%C3%A9", timeout=2)
        assert odd.status_code == 400
        other = requests.get(f"http://127.0.0.1:{receiver.port}/favicon.ico", timeout=2)
        assert other.status_code == 404
        with pytest.raises(PermanentError, match="2 answer"):
            receiver.wait(0.3)  # still waiting: the forged code was not taken
        requests.get(receiver.redirect_uri + "?code=good1234&state=right", timeout=2)
        assert receiver.wait(1) == "good1234"


def test_loopback_receiver_reports_a_declined_sign_in_and_a_timeout() -> None:
    with LoopbackReceiver("st") as receiver:
        page = requests.get(
            receiver.redirect_uri + "?error=access_denied&error_description=no&state=st", timeout=2
        )
        assert page.status_code == 200 and "not connected" in page.text
        with pytest.raises(PermanentError, match="declined"):
            receiver.wait(1)
    with LoopbackReceiver("st") as receiver, pytest.raises(PermanentError, match="not completed"):
        receiver.wait(0.2)


def test_loopback_receiver_stops_listening_when_closed() -> None:
    receiver = LoopbackReceiver("st")
    uri = receiver.redirect_uri
    receiver.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(uri, timeout=1)


@pytest.mark.parametrize(
    "pasted",
    ["abcd1234", "  abcd1234\n", "http://127.0.0.1:5/callback?code=abcd1234&state=st"],
)
def test_code_from_paste(pasted: str) -> None:
    assert code_from_paste(pasted, "st") == "abcd1234"


def test_code_from_paste_refuses_another_sign_in_and_garbage() -> None:
    with pytest.raises(PermanentError, match="another sign-in"):
        code_from_paste("http://127.0.0.1:5/callback?code=abcd1234&state=other", "st")
    with pytest.raises(PermanentError, match="does not look like a sign-in code"):
        code_from_paste("<b>?</b>", "st")


# --- the whole flow -------------------------------------------------------------------------------


def test_browser_sign_in_through_the_loopback(
    server: FakeMastodon, http: TimeoutSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    flow = BrowserSignIn.start(http, server.url)
    try:
        landing = browse(flow.url).headers["Location"]
        assert landing.startswith(flow.receiver.redirect_uri)
        assert "You can close this tab" in requests.get(landing, timeout=2).text
        secret = flow.finish(timeout=2)
    finally:
        flow.close()
    assert verified(server, secret["access_token"])
    assert secret["access_token"] not in caplog.text and secret["client_secret"] not in caplog.text
    app = next(r for r in server.requests if r.path == "/api/v1/apps")
    assert app.params["redirect_uris"] == [f"{flow.receiver.redirect_uri}\n{OOB_REDIRECT_URI}"]


def test_browser_sign_in_with_a_pasted_address(server: FakeMastodon, http: TimeoutSession) -> None:
    flow = BrowserSignIn.start(http, server.url)
    try:
        # The browser was on another machine: the redirect failed and the person copies it.
        landing = browse(flow.url).headers["Location"]
        secret = flow.finish(paste=lambda: landing, timeout=2)
    finally:
        flow.close()
    assert verified(server, secret["access_token"])


def test_out_of_band_sign_in(server: FakeMastodon, http: TimeoutSession) -> None:
    flow = BrowserSignIn.start(http, server.url)
    try:
        page = browse(flow.oob_url)
        assert page.status_code == 200
        code = page.text.split('value="')[1].split('"')[0]
        secret = flow.finish_oob(code)
    finally:
        flow.close()
    assert verified(server, secret["access_token"])


def test_a_declined_sign_in_is_permanent(server: FakeMastodon, http: TimeoutSession) -> None:
    server.deny_authorization = True
    flow = BrowserSignIn.start(http, server.url)
    try:
        requests.get(browse(flow.url).headers["Location"], timeout=2)
        with pytest.raises(PermanentError, match="declined"):
            flow.finish(timeout=2)
    finally:
        flow.close()
    assert not any(r.path == "/oauth/token" for r in server.requests)
