"""Run a fake network server in its own process, as a real server would be: on another machine.

Started by the benchmarks; prints the server's URL on its first line, then answers commands read
from standard input, one a line: ``count`` prints how many statuses (Mastodon) exist. It stops
at end of input.

    python benchmarks/fake_server_process.py mastodon
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.mastodon_server import FakeMastodon


def main() -> int:
    kind = sys.argv[1] if len(sys.argv) > 1 else "mastodon"
    if kind != "mastodon":
        print(f"unknown server kind {kind!r}", file=sys.stderr)
        return 2
    with FakeMastodon() as server:
        print(server.url, flush=True)
        for line in sys.stdin:
            if line.strip() == "count":
                print(len(server.statuses), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
