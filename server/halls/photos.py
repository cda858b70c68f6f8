"""Staff photos: checked, re-encoded as a small JPEG and kept in the photo folder under
their SHA-256, outside the database. Re-encoding drops whatever the upload carried beside
the picture (EXIF location, scripts in a crafted file) and keeps kiosk downloads small."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from server.problems import Problem

#: Formats an upload may be in; anything else is refused.
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
#: A photo is scaled to fit this square; a kiosk shows it far smaller.
MAX_SIDE_PX = 512
#: Refuse images whose header claims more pixels than this (a decompression bomb).
MAX_PIXELS = 40_000_000
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class PhotoError(Problem):
    """An upload that is not a photo the server accepts."""


def normalize(data: bytes, max_bytes: int) -> bytes:
    """The upload as a JPEG at most MAX_SIDE_PX on each side; PhotoError when refused."""
    if not data:
        raise PhotoError("the photo file is empty")
    if len(data) > max_bytes:
        raise PhotoError("the photo is larger than {mb} MB", mb=f"{max_bytes / 1_000_000:.1f}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise PhotoError("a photo must be a JPEG, PNG or WebP image")
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise PhotoError("the photo has too many pixels")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                picture = image.convert("RGB")
    except PhotoError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombWarning,
    ):
        raise PhotoError("the file is not a readable JPEG, PNG or WebP image") from None
    picture.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def path_of(photo_dir: Path, sha256: str) -> Path:
    if not _SHA256.match(sha256):
        raise ValueError("not a SHA-256 hex digest")
    return photo_dir / sha256[:2] / f"{sha256}.jpg"


def store(photo_dir: Path, jpeg: bytes) -> str:
    """Write the photo durably (temporary file, fsync, rename); its SHA-256."""
    sha256 = hashlib.sha256(jpeg).hexdigest()
    target = path_of(photo_dir, sha256)
    if target.exists():
        return sha256
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(jpeg)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha256


def read(photo_dir: Path, sha256: str) -> bytes | None:
    try:
        return path_of(photo_dir, sha256).read_bytes()
    except FileNotFoundError:
        return None
