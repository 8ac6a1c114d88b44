"""What media/upload will take: the type, extension, size and (for voice)
length limits of the API page, checked on a file's name and bytes before
anything is sent. Pure: the caller reads the file.
"""

from __future__ import annotations

from reconciler.core.facts import (MEDIA_EXTENSIONS, MEDIA_MAX_BYTES, MEDIA_MIN_BYTES, MEDIA_TYPES,
                                   VOICE_MAX_SECONDS)

# What a file of each kind starts with. WeCom names formats (JPG, PNG, AMR,
# MP4), and a file with the right extension and other bytes is not one.
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_AMR_NB, _AMR_WB = b"#!AMR\n", b"#!AMR-WB\n"
_FORMAT_NAMES = {"image": "a JPG or PNG image", "voice": "an AMR recording", "video": "an MP4 video"}

# Bytes of one AMR frame after its 1-byte header, by frame type (RFC 4867,
# section 5: the storage format); every frame is 20 ms of sound.
_AMR_NB_SIZES = (12, 13, 15, 17, 19, 20, 26, 31, 5, 0, 0, 0, 0, 0, 0, 0)
_AMR_WB_SIZES = (17, 23, 32, 36, 40, 46, 50, 58, 60, 5, 0, 0, 0, 0, 0, 0)
_AMR_FRAME_SECONDS = 0.02


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def _looks_like(kind: str, data: bytes) -> bool:
    if kind == "image":
        return data.startswith(_PNG) or data.startswith(_JPEG)
    if kind == "voice":
        return data.startswith(_AMR_NB) or data.startswith(_AMR_WB)
    if kind == "video":
        return data[4:8] == b"ftyp"
    return True


def amr_seconds(data: bytes) -> float | None:
    """How long an AMR (narrow- or wide-band) recording plays; None when the
    bytes are not AMR."""
    if data.startswith(_AMR_WB):
        sizes, at = _AMR_WB_SIZES, len(_AMR_WB)
    elif data.startswith(_AMR_NB):
        sizes, at = _AMR_NB_SIZES, len(_AMR_NB)
    else:
        return None
    frames = 0
    while at < len(data):
        at += 1 + sizes[(data[at] >> 3) & 0x0F]
        frames += 1
    return frames * _AMR_FRAME_SECONDS


def media_problems(kind: str, name: str, data: bytes, size: int | None = None) -> list[str]:
    """Why media/upload would refuse this file as `kind`, or []. `data` may
    stop early for a file over its limit (`size` is then the whole size):
    the caller need not read 2 GB to learn it is too big."""
    if kind not in MEDIA_TYPES:
        return [f"unknown media type {kind!r}: WeCom takes {', '.join(MEDIA_TYPES)}"]
    size = len(data) if size is None else size
    problems = []
    allowed = MEDIA_EXTENSIONS[kind]
    ext = "." + name.rpartition(".")[2].lower() if "." in name else ""
    if allowed is not None and ext not in allowed:
        shown = ext or "no extension"
        problems.append(f"WeCom takes {kind} files ending in {', '.join(allowed)}, not {shown}")
    limit = MEDIA_MAX_BYTES[kind]
    if size < MEDIA_MIN_BYTES:
        problems.append(f"{size} bytes; WeCom takes files of more than {MEDIA_MIN_BYTES - 1} bytes")
    elif size > limit:
        problems.append(f"{size:,} bytes; WeCom takes at most {megabytes(limit)} ({limit:,} bytes) "
                        f"for {'an' if kind == 'image' else 'a'} {kind}")
    elif not problems and not _looks_like(kind, data):
        problems.append(f"the content is not {_FORMAT_NAMES[kind]} (its first bytes say otherwise)")
    elif not problems and kind == "voice":
        seconds = amr_seconds(data) or 0.0
        if seconds > VOICE_MAX_SECONDS:
            problems.append(f"{seconds:.1f} s long; WeCom takes voice recordings of at most {VOICE_MAX_SECONDS} s")
    return problems
