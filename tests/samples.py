"""Small media files of each kind WeCom takes, made in memory for the
upload tests: their first bytes are the real formats' signatures."""

from __future__ import annotations

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0" + bytes(28)
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(20)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


def amr(seconds: float) -> bytes:
    """An AMR-NB recording of `seconds` (12.2 kbit/s frames of silence, 20 ms each)."""
    frame = bytes([0x3C]) + bytes(31)  # frame type 7: 31 bytes after the header
    return b"#!AMR\n" + frame * round(seconds / 0.02)


# A chat with a contractor whose membership ends on 2027-01-31: the tests of
# expiry, the ledger and the scheduled reconcile all start from it.
OPS_WITH_CONTRACTOR = """\
chats:
  ops:
    name: Ops
    owner: alice
    members:
      - alice
      - bob
      - {user: vera, until: 2027-01-31, reason: "contractor, INC-42"}
"""
