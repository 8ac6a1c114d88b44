"""core.media: what media/upload takes, judged on a file's name and bytes."""

from __future__ import annotations

import pytest

from reconciler.core.media import amr_seconds, media_problems
from tests.samples import JPEG, MP4, PDF, PNG, amr

MB = 1024 * 1024


@pytest.mark.parametrize("kind, name, data", [
    ("image", "a.png", PNG), ("image", "A.PNG", PNG), ("image", "b.jpg", JPEG), ("image", "c.jpeg", JPEG),
    ("image", "png-named.jpg", PNG), ("voice", "v.amr", amr(60)), ("video", "m.mp4", MP4),
    ("file", "x.pdf", PDF), ("file", "Makefile", b"all: test\n"), ("file", "six.b", b"123456"),
])
def test_files_wecom_takes(kind, name, data):
    assert media_problems(kind, name, data) == []


@pytest.mark.parametrize("kind, name, data, problem", [
    ("image", "a.gif", PNG, "WeCom takes image files ending in .jpg, .jpeg, .png, not .gif"),
    ("image", "noext", PNG, "not no extension"),
    ("voice", "v.mp3", amr(1), "ending in .amr, not .mp3"),
    ("video", "m.mov", MP4, "ending in .mp4, not .mov"),
    ("image", "a.png", b"12345", "5 bytes; WeCom takes files of more than 5 bytes"),
    ("file", "x.txt", b"", "0 bytes"),
    ("image", "a.png", b"GIF89a" + bytes(10), "the content is not a JPG or PNG image"),
    ("voice", "v.amr", b"ID3\x03" + bytes(10), "the content is not an AMR recording"),
    ("video", "m.mp4", b"RIFF" + bytes(12), "the content is not an MP4 video"),
    ("voice", "v.amr", amr(60.02), "60.0 s long; WeCom takes voice recordings of at most 60 s"),
    ("sticker", "a.png", PNG, "unknown media type 'sticker'"),
])
def test_files_wecom_refuses(kind, name, data, problem):
    assert any(problem in p for p in media_problems(kind, name, data)), media_problems(kind, name, data)


@pytest.mark.parametrize("kind, limit, phrase", [
    ("image", 10 * MB, "at most 10 MB (10,485,760 bytes) for an image"),
    ("voice", 2 * MB, "at most 2 MB (2,097,152 bytes) for a voice"),
    ("video", 10 * MB, "for a video"),
    ("file", 20 * MB, "at most 20 MB (20,971,520 bytes) for a file"),
])
def test_size_limits_count_the_whole_file_not_what_was_read(kind, limit, phrase):
    name = {"image": "a.png", "voice": "a.amr", "video": "a.mp4", "file": "a.bin"}[kind]
    head = {"image": PNG, "voice": amr(1), "video": MP4, "file": PDF}[kind]
    assert media_problems(kind, name, head, size=limit) == []
    [problem] = media_problems(kind, name, head, size=limit + 1)
    assert problem.startswith(f"{limit + 1:,} bytes; ") and phrase in problem


def test_amr_length_counts_frames_of_every_mode():
    assert amr_seconds(amr(1.5)) == pytest.approx(1.5)
    # one frame of each narrow-band mode (0-7), a SID frame (8) and a no-data frame (15)
    frames = b"".join(bytes([ft << 3]) + bytes(size) for ft, size in
                      [(0, 12), (1, 13), (2, 15), (3, 17), (4, 19), (5, 20), (6, 26), (7, 31), (8, 5), (15, 0)])
    assert amr_seconds(b"#!AMR\n" + frames) == pytest.approx(0.2)
    wide = b"#!AMR-WB\n" + (bytes([8 << 3]) + bytes(60)) * 50  # mode 8: 23.85 kbit/s
    assert amr_seconds(wide) == pytest.approx(1.0)
    assert amr_seconds(b"RIFF....WAVE") is None
