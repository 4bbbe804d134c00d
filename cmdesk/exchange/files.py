"""Writing an export whole or not at all: a temporary file in the same folder, then a rename.

A calendar application subscribed to an ``.ics`` file, or a spreadsheet watching a CSV, never
reads half a file: ``os.replace`` swaps the complete new file in at once.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cmdesk.errors import ValidationError


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; a ``ValidationError`` says why it could not."""
    target = Path(path).expanduser()
    folder = target.parent
    if not folder.is_dir():
        raise ValidationError(f"The folder {folder} does not exist; choose another place.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ValidationError(f"Cannot write in {folder}: {exc.strerror or exc}.") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ValidationError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    return target
