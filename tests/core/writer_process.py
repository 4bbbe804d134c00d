"""A child process for the concurrency test: read-modify-write increments through the services."""

from __future__ import annotations

import sys

from sqlalchemy import select

from cmdesk.db import open_database
from cmdesk.models import Post


def main(url: str, post_id: int, times: int) -> None:
    db = open_database(url, migrate=False)
    for _ in range(times):
        # The same shape as a service call: read in the transaction, then write what was read + 1.
        with db.session(write=True) as s:
            post = s.scalars(select(Post).where(Post.id == post_id)).one()
            post.revision = post.revision + 1
    db.dispose()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
