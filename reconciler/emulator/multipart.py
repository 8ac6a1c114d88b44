"""Reading a multipart/form-data body (RFC 7578), as media/upload receives
it: the boundary from the Content-Type header, each part's name and
filename from its Content-Disposition (quoted, HTML-escaped or RFC 5987
`filename*=UTF-8''...`, as different clients write them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    data: bytes
    # As the client declared it (WeCom's extra parameter). The emulator does
    # not check it; tests read it to see that appchat's client sends it right.
    filelength: int | None = None


class BadForm(ValueError):
    """Not a multipart/form-data body this server can read."""


_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _params(header: str) -> dict[str, str]:
    found = {}
    for key, value in _PARAM.findall(header):
        value = value.strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        found[key.lower()] = value
    return found


def boundary_of(content_type: str | None) -> str:
    kind, _, rest = (content_type or "").partition(";")
    if kind.strip().lower() != "multipart/form-data":
        raise BadForm(f"Content-Type is {kind.strip() or 'missing'}, not multipart/form-data")
    boundary = _params(";" + rest).get("boundary")
    if not boundary:
        raise BadForm("multipart/form-data without a boundary")
    return boundary


def _filename(params: dict[str, str]) -> str | None:
    extended = params.get("filename*")
    if extended and "''" in extended:
        charset, _, encoded = extended.partition("''")
        return unquote(encoded, encoding=charset or "utf-8", errors="replace")
    name = params.get("filename")
    if name is None:
        return None
    return name.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


def parse(content_type: str | None, body: bytes) -> list[Part]:
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    if body.startswith(delimiter):
        rest = body[len(delimiter):]
    else:  # a preamble before the first delimiter: allowed, and ignored
        at = body.find(b"\r\n" + delimiter)
        if at < 0:
            raise BadForm("the body does not contain the boundary")
        rest = body[at + 2 + len(delimiter):]
    parts = []
    for chunk in rest.split(b"\r\n" + delimiter):
        if chunk.startswith(b"--"):  # the closing delimiter
            return parts
        line_end = chunk.find(b"\r\n")
        if line_end < 0:
            raise BadForm("a part without headers")
        head, sep, data = chunk[line_end + 2:].partition(b"\r\n\r\n")
        if not sep:
            raise BadForm("a part without a blank line after its headers")
        parts.append(_part(head, data))
    raise BadForm("the body ends before its closing boundary")


def _part(head: bytes, data: bytes) -> Part:
    headers = {}
    for line in head.decode("utf-8", "replace").split("\r\n"):
        key, colon, value = line.partition(":")
        if colon:
            headers[key.strip().lower()] = value.strip()
    disposition = headers.get("content-disposition", "")
    if not disposition.lower().startswith("form-data"):
        raise BadForm("a part without Content-Disposition: form-data")
    params = _params(disposition[len("form-data"):])
    length = params.get("filelength", "")
    return Part(params.get("name", ""), _filename(params), data, int(length) if length.isdigit() else None)
