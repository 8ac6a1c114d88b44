"""The multipart/form-data body of media/upload, built here rather than by
requests so that it carries what WeCom's page shows: the file in the field
`media`, with its filename and its length (`filelength`)."""

from __future__ import annotations

import secrets


def _quoted(value: str) -> str:
    # HTML's form encoding: quotes and line breaks escaped, the rest as UTF-8
    return value.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def form_data(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    """(body, Content-Type header) for one file in one form field."""
    boundary = "appchat-" + secrets.token_hex(16)
    head = (f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{_quoted(filename)}"; '
            f"filelength={len(data)}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode("utf-8")
    tail = f"\r\n--{boundary}--\r\n".encode("ascii")
    return head + data + tail, f"multipart/form-data; boundary={boundary}"
