"""Output paths, checked before any work starts.

A command that writes files (``run --plot/--trace``, ``reproduce --out``) checks
each of them first, so a long run is never thrown away at the end: the folder
must exist or be creatable and be writable, the name must have a known extension,
and an existing file is replaced only with ``--force``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from octk.errors import ParameterError

FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def check_output_file(option: str, path: Path, suffixes: tuple[str, ...], force: bool) -> Path:
    """``path`` if a file can be written there (module doc), else a ParameterError
    naming ``option``, the path and what is allowed."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise ParameterError(
            f"{option}: {str(path)!r} must end in {', '.join(suffixes)} "
            f"(the extension picks the format); got {path.suffix or 'no extension'!r}"
        )
    if path.is_dir():
        raise ParameterError(f"{option}: {str(path)!r} is a folder; name a file")
    if path.exists() and not force:
        raise ParameterError(f"{option}: {str(path)!r} exists; use --force to replace it")
    _check_writable(option, path.parent if str(path.parent) else Path("."), path)
    return path


def check_output_dir(option: str, path: Path) -> Path:
    """``path`` if it is (or can become) a writable folder, else a ParameterError."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ParameterError(f"{option}: {str(path)!r} is an existing file; name a folder")
    _check_writable(option, path, path)
    return path


def _check_writable(option: str, folder: Path, path: Path) -> None:
    """Create ``folder`` if missing and probe it with a temporary file (permission bits
    do not tell: root may "write" to /proc, a full or read-only disk refuses)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".octk-probe-"):
            pass
    except OSError as e:
        raise ParameterError(
            f"{option}: cannot write {str(path)!r}: {e.strerror or e} ({str(folder)!r})"
        ) from None


__all__ = ["FIGURE_SUFFIXES", "check_output_dir", "check_output_file"]
