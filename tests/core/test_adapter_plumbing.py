"""HTTP plumbing shared by adapters, and the adapter registry (built-ins and plug-ins)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from cmdesk.adapters.base import AuthExpired, PermanentError, RateLimited, TransientError
from cmdesk.adapters.http import (
    MaybeSent,
    NotSent,
    TimeoutSession,
    error_text,
    raise_for_status,
    retry_at,
    send,
)
from cmdesk.adapters.registry import AdapterRegistry, default_registry
from cmdesk.errors import ValidationError

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


def response(
    status: int = 429, headers: dict[str, str] | None = None, body: bytes = b"{}"
) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r.headers.update(headers or {})
    r._content = body
    r.reason = "Too Many Requests" if status == 429 else "Error"
    return r


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"Retry-After": "120"}, b"{}", timedelta(seconds=120)),
        (
            {"Retry-After": format_datetime(NOW + timedelta(minutes=3), usegmt=True)},
            b"{}",
            timedelta(minutes=3),
        ),
        # Mastodon: ISO 8601 with microseconds.
        (
            {"X-RateLimit-Reset": (NOW + timedelta(minutes=5)).isoformat(timespec="microseconds")},
            b"{}",
            timedelta(minutes=5),
        ),
        ({"X-RateLimit-Reset": "2026-03-20T10:05:00.000000Z"}, b"{}", timedelta(minutes=5)),
        # GoToSocial and Bluesky: Unix seconds.
        (
            {"X-RateLimit-Reset": str(int((NOW + timedelta(seconds=90)).timestamp()))},
            b"{}",
            timedelta(seconds=90),
        ),
        (
            {"RateLimit-Reset": str(int((NOW + timedelta(seconds=45)).timestamp()))},
            b"{}",
            timedelta(seconds=45),
        ),
        # Telegram and Discord put it in the body.
        ({}, b'{"ok": false, "parameters": {"retry_after": 17}}', timedelta(seconds=17)),
        ({}, b'{"retry_after": 2.5}', timedelta(seconds=2.5)),
        # Nothing usable: a minute; absurd values are capped.
        ({"X-RateLimit-Reset": "soon"}, b"not json", timedelta(minutes=1)),
        ({"Retry-After": "99999999"}, b"{}", timedelta(hours=3)),
    ],
)
def test_retry_at_reads_every_rate_limit_signal(
    headers: dict[str, str], body: bytes, expected: timedelta
) -> None:
    r = response(headers=headers, body=body)
    try:
        parsed = r.json()
    except ValueError:
        parsed = None
    assert retry_at(r, NOW, parsed) - NOW == expected


def test_retry_at_corrects_for_the_server_clock() -> None:
    # The server's clock is 2 minutes ahead of ours: its reset "10:07" is our 10:05.
    server_now = NOW + timedelta(minutes=2)
    r = response(
        headers={
            "Date": format_datetime(server_now, usegmt=True),
            "X-RateLimit-Reset": (server_now + timedelta(minutes=5)).isoformat(),
        }
    )
    assert retry_at(r, NOW) - NOW == timedelta(minutes=5)


def test_error_text_understands_both_error_shapes() -> None:
    assert error_text(response(422, body=b'{"error": "Validation failed: Text is too long"}')) == (
        "Validation failed: Text is too long"
    )
    bsky = response(400, body=b'{"error": "InvalidRequest", "message": "Record too big"}')
    assert error_text(bsky) == "InvalidRequest: Record too big"
    assert error_text(response(502, body=b"<html>bad gateway</html>")) == "HTTP 502 Error"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, AuthExpired),
        (403, PermanentError),
        (404, PermanentError),
        (422, PermanentError),
        (429, RateLimited),
        (500, TransientError),
        (503, TransientError),
    ],
)
def test_raise_for_status_says_what_to_do(status: int, kind: type[Exception]) -> None:
    with pytest.raises(kind) as info:
        raise_for_status(
            response(status, body=b'{"error": "nope"}'), network="Mastodon", local_now=NOW
        )
    assert "nope" in str(info.value) or status == 429
    if status == 401:
        assert "Reconnect" in str(info.value)


class _Handler(BaseHTTPRequestHandler):
    mode = "ok"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        if self.mode == "slow":
            time.sleep(1.5)
        if self.mode == "drop":
            self.connection.close()  # read the request, answer nothing
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def _url(srv: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}/x"


def test_send_tells_sent_from_not_sent(server: ThreadingHTTPServer) -> None:
    session = TimeoutSession((1, 1))
    _Handler.mode = "ok"
    assert send(session, "POST", _url(server), json={}).json() == {"ok": True}
    _Handler.mode = "slow"
    with pytest.raises(MaybeSent):  # it reached the server: it may have taken effect
        send(session, "POST", _url(server), json={})
    _Handler.mode = "drop"
    with pytest.raises(MaybeSent):
        send(session, "POST", _url(server), json={})
    # A port nobody listens on: the request never left, so it is safe to resend.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    with pytest.raises(NotSent):
        send(session, "POST", f"http://127.0.0.1:{free_port}/x", json={})


class _EchoAuth(BaseHTTPRequestHandler):
    """Answers with the Authorization header it got."""

    def do_GET(self) -> None:
        body = json.dumps({"auth": self.headers.get("Authorization")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_netrc_entry_never_replaces_the_adapters_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _EchoAuth)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{srv.server_address[1]}/x"
        # Stock requests would send the netrc login instead of the token it was given.
        assert requests.get(url, headers={"Authorization": "Bearer t"}).json()["auth"] != (
            "Bearer t"
        )
        session = TimeoutSession((1, 1))
        assert session.get(url, headers={"Authorization": "Bearer t"}).json()["auth"] == (
            "Bearer t"
        )
        assert session.get(url).json()["auth"] is None
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_proxy_settings_from_the_environment_are_read_once_per_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    session = TimeoutSession()
    first = session.merge_environment_settings("https://a.example/x", {}, None, None, None)
    assert first["proxies"]["https"] == "http://proxy.example:3128"
    first["proxies"]["https"] = "changed by requests"  # what is handed out is a copy
    monkeypatch.setenv("HTTPS_PROXY", "http://other.example:3128")
    again = session.merge_environment_settings("https://a.example/y", {}, None, None, None)
    assert again["proxies"]["https"] == "http://proxy.example:3128"  # same server: remembered
    other = session.merge_environment_settings("https://b.example/", {}, None, None, None)
    assert other["proxies"]["https"] == "http://other.example:3128"  # another server: read
    given = session.merge_environment_settings(
        "https://a.example/", {"https": "http://given:1"}, None, None, None
    )
    assert given["proxies"]["https"] == "http://given:1"  # an explicit proxy always wins


def test_registry_knows_built_ins_and_refuses_unknown_networks() -> None:
    registry = default_registry(plugins=False)
    assert {"demo", "mastodon", "bluesky"} <= set(registry.networks())
    assert registry.get("demo") is registry.get("demo")  # made once
    with pytest.raises(ValidationError, match="publish to 'myspace': no adapter is installed"):
        registry.get("myspace")


def test_a_package_outside_cmdesk_adds_an_adapter(tmp_path: Path) -> None:
    """A plug-in declared in the cmdesk.adapters entry-point group is found and used."""
    site = tmp_path / "site"
    (site / "cmdesk_pigeon").mkdir(parents=True)
    (site / "cmdesk_pigeon" / "__init__.py").write_text(
        textwrap.dedent(
            """
            class PigeonAdapter:
                network = "pigeon"
                display_name = "Carrier pigeon"
                def publish(self, *args, **kwargs):
                    return "coo"
            """
        )
    )
    dist = site / "cmdesk_pigeon-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: cmdesk-pigeon\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[cmdesk.adapters]\npigeon = cmdesk_pigeon:PigeonAdapter\n"
    )
    broken = site / "cmdesk_broken-1.0.dist-info"
    broken.mkdir()
    (broken / "METADATA").write_text("Metadata-Version: 2.1\nName: cmdesk-broken\nVersion: 1.0\n")
    (broken / "entry_points.txt").write_text("[cmdesk.adapters]\nbroken = no_such_module:Thing\n")
    code = textwrap.dedent(
        """
        from cmdesk.adapters.registry import default_registry
        r = default_registry()
        print(sorted(r.networks()))
        print(r.get("pigeon").publish())
        print(r.origins["pigeon"])
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={
            "PYTHONPATH": f"{site}:{Path(__file__).resolve().parents[2]}",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "'pigeon'" in lines[0] and "'broken'" not in lines[0]  # the broken plug-in is skipped
    assert lines[1] == "coo" and lines[2] == "cmdesk_pigeon:PigeonAdapter"
    assert "broken" in out.stderr  # and said so in the log


def test_plugin_may_replace_a_built_in() -> None:
    registry = AdapterRegistry()
    registry.register("mastodon", lambda: "built-in")  # type: ignore[arg-type,return-value]
    registry.register("mastodon", lambda: "plug-in", origin="x:Y")  # type: ignore[arg-type,return-value]
    assert registry.get("mastodon") == "plug-in" and registry.origins["mastodon"] == "x:Y"
