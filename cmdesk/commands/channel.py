"""``cmdesk channel add|connect|list|check|remove``: connected accounts.

Secrets are read from standard input (``--token-stdin``, ``--password-stdin``) or typed at a
hidden prompt, never taken from the command line (where other users and the shell history would
see them), and go only to the credential store.
"""

from __future__ import annotations

import argparse
import webbrowser

from cmdesk.commands.common import channel, context, emit_json, read_secret, workspace


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    ch = sub.add_parser("channel", parents=common, help="connected accounts")
    verbs = ch.add_subparsers(dest="verb", metavar="VERB", required=True)

    add = verbs.add_parser(
        "add", parents=common, help="add an account with a token or app password"
    )
    nets = add.add_subparsers(dest="network", metavar="NETWORK", required=True)
    masto = nets.add_parser("mastodon", parents=common, help="a Mastodon (or compatible) account")
    masto.add_argument("--name", required=True)
    masto.add_argument("--base-url", required=True, help="the server, e.g. https://mastodon.social")
    masto.add_argument(
        "--token-stdin",
        action="store_true",
        required=True,
        help="read the access token from standard input",
    )
    masto.add_argument("--workspace")
    masto.set_defaults(handler=cmd_add_mastodon)
    sky = nets.add_parser("bluesky", parents=common, help="a Bluesky account")
    sky.add_argument("--name", required=True)
    sky.add_argument(
        "--service",
        default="https://bsky.social",
        help="where to sign in (default https://bsky.social)",
    )
    sky.add_argument("--handle", required=True)
    sky.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read an app password from standard input",
    )
    sky.add_argument("--workspace")
    sky.set_defaults(handler=cmd_add_bluesky)

    connect = verbs.add_parser("connect", parents=common, help="sign in through the browser")
    cnets = connect.add_subparsers(dest="network", metavar="NETWORK", required=True)
    cm = cnets.add_parser("mastodon", parents=common, help="authorise cmdesk on a Mastodon server")
    cm.add_argument("--name", required=True)
    cm.add_argument("--base-url", required=True)
    cm.add_argument("--workspace")
    cm.add_argument(
        "--no-browser", action="store_true", help="print the address and paste the code instead"
    )
    cm.set_defaults(handler=cmd_connect_mastodon)

    lst = verbs.add_parser("list", parents=common, help="list channels and their health")
    lst.add_argument("--workspace")
    lst.set_defaults(handler=cmd_list)
    check = verbs.add_parser("check", parents=common, help="test a channel's sign-in now")
    check.add_argument("name")
    check.add_argument("--workspace")
    check.set_defaults(handler=cmd_check)
    rm = verbs.add_parser("remove", parents=common, help="remove a channel (its secret too)")
    rm.add_argument("name")
    rm.add_argument("--workspace")
    rm.set_defaults(handler=cmd_remove)


def _added(args: argparse.Namespace, ctx, channel_id: int | None) -> int:  # type: ignore[no-untyped-def]
    assert channel_id is not None
    dto = ctx.channels.get(channel_id)
    if args.json:
        emit_json(dto)
    else:
        print(f"Connected {dto.name!r}: {dto.handle} on {dto.base_url}.")
    return 0


def cmd_add_mastodon(args: argparse.Namespace) -> int:
    token = read_secret("Access token: ")
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        changes = ctx.connections.connect(
            ws.id,
            "mastodon",
            args.name,
            base_url=args.base_url,
            credentials={"access_token": token},
        )
        return _added(args, ctx, changes.subject)


def cmd_add_bluesky(args: argparse.Namespace) -> int:
    password = read_secret("App password: ")
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        changes = ctx.connections.connect(
            ws.id,
            "bluesky",
            args.name,
            base_url=args.service,
            handle=args.handle,
            credentials={"identifier": args.handle, "app_password": password},
        )
        return _added(args, ctx, changes.subject)


def cmd_connect_mastodon(args: argparse.Namespace) -> int:
    from cmdesk.adapters.base import AdapterError
    from cmdesk.adapters.mastodon import auth as mastodon_auth
    from cmdesk.errors import UserError

    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        try:
            flow = mastodon_auth.BrowserSignIn.start(ctx.connections.http_factory(), args.base_url)
            try:
                if args.no_browser:
                    # The server shows the code on its page; nothing waits on a terminal thread.
                    print("Open this address in a browser, approve cmdesk, then paste the code:")
                    print(flow.oob_url)
                    credentials = flow.finish_oob(read_secret("Code: "))
                else:
                    if not webbrowser.open(flow.url):
                        print("Open this address in a browser and approve cmdesk:\n" + flow.url)
                    else:
                        print("Approve cmdesk in the browser window that opened…")
                    credentials = flow.finish()
            finally:
                flow.close()
        except AdapterError as exc:
            raise UserError(exc.message) from None
        changes = ctx.connections.connect(
            ws.id, "mastodon", args.name, base_url=flow.server.base_url, credentials=credentials
        )
        return _added(args, ctx, changes.subject)


def cmd_list(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        wid = workspace(ctx, args.workspace).id if args.workspace else None
        items = ctx.channels.list(wid)
        if args.json:
            emit_json(items)
            return 0
        for c in items:
            demo = " (demo)" if c.is_demo else ""
            health = "ok" if c.health == "ok" else f"{c.health}: {c.health_detail}"
            print(f"{c.id:>4}  {c.name}{demo}  {c.network}  {c.handle}  [{health}]")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        wid = workspace(ctx, args.workspace).id if args.workspace else None
        ch = channel(ctx, args.name, wid)
        info = ctx.connections.check(ch.id)
        if args.json:
            emit_json(info)
        else:
            print(f"ok: {ch.name!r} signs in as {info.handle} ({info.display_name}).")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        wid = workspace(ctx, args.workspace).id if args.workspace else None
        ch = channel(ctx, args.name, wid)
        changes = ctx.channels.remove(ch.id)
        cancelled = len(changes.ids("target"))
        if args.json:
            emit_json({"removed": ch.name, "cancelled_deliveries": cancelled})
        else:
            print(f"Removed {ch.name!r}; {cancelled} queued deliveries were cancelled.")
    return 0
