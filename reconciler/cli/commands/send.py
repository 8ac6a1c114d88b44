"""Send one message to a chat: text, markdown, a text card, news, mpnews, an
image, voice, video or file (uploaded first), or a whole message from a
file. Every limit WeCom would check is checked first, so a message that
cannot go is refused without a single API call (not even gettoken)."""

from __future__ import annotations

import sys

from reconciler.app.outcome import OK, Outcome

# body option -> (metavar, help)
_BODY = {
    "text": ("TEXT", "a text message ('-': read it from stdin)"),
    "markdown": ("TEXT", "a markdown message ('-': stdin)"),
    "textcard": ("TITLE", "a text card (with --description, --url, --button)"),
    "news": ("FILE", "1-8 linked articles from a YAML/JSON file ('-': stdin)"),
    "mpnews": ("FILE", "1-8 articles shown in WeCom, from a YAML/JSON file ('-': stdin)"),
    "image": ("PATH", "upload a JPG/PNG image and send it (or --media-id ID without PATH)"),
    "voice": ("PATH", "upload an AMR recording and send it (or --media-id ID)"),
    "video": ("PATH", "upload an MP4 video and send it (with --title, --description; or --media-id ID)"),
    "file": ("PATH", "upload any file and send it (or --media-id ID)"),
    "message": ("FILE", "a whole message in appchat/send's shape, YAML/JSON ('-': stdin)"),
}


# argparse writes a mutually exclusive group on one line, whatever the
# terminal's width (184 characters here): the usage names it BODY instead,
# and the help lists its forms under that heading.
USAGE = "%(prog)s [-h] [-v] CHAT_ID BODY [OPTION ...]"


def add_arguments(p) -> None:
    p.usage = USAGE
    p.add_argument("chat_id", metavar="CHAT_ID")
    forms = p.add_argument_group("BODY (exactly one)")
    p._action_groups.insert(1, p._action_groups.pop())  # listed before the other options
    body = forms.add_mutually_exclusive_group(required=True)
    for form, (metavar, text) in _BODY.items():
        if metavar == "PATH":  # `--image --media-id ID`: a file uploaded before, no PATH
            body.add_argument(f"--{form}", metavar=metavar, nargs="?", const="", help=text)
        else:
            body.add_argument(f"--{form}", metavar=metavar, help=text)
    p.add_argument("--description", metavar="TEXT", help="the text card's or video's description")
    p.add_argument("--url", metavar="URL", help="where the text card leads")
    p.add_argument("--button", metavar="TEXT", help="the text card's button (WeCom's default: 详情)")
    p.add_argument("--title", metavar="TEXT", help="the video's title")
    p.add_argument("--media-id", metavar="ID", help="send a file uploaded before instead of a PATH")
    p.add_argument("--safe", action="store_true", help="confidential: no forwarding, watermarked (not for news)")


def run(args) -> Outcome:
    from reconciler.app import sending, session

    form = next(f for f in _BODY if getattr(args, f) is not None)
    value = getattr(args, form) or None if _BODY[form][0] == "PATH" else getattr(args, form)
    request = sending.SendRequest(args.chat_id, form, value, args.title, args.description, args.url,
                                   args.button, args.media_id, args.safe)
    prepared = sending.prepare(request, sys.stdin.buffer if sys.stdin else None)  # Stop: nothing sent
    with session.client(1, read_only=False) as client:
        sent = sending.deliver(client, prepared, lambda pending, media_id: print(
            f"Uploaded {pending.path} ({pending.kind}): media_id {media_id} (valid for 3 days)"))
    kind = f"{'safe ' if sent.safe else ''}{sent.msgtype}"
    print(f"Sent {'an' if kind[0] in 'aeio' or kind.startswith('mp') else 'a'} {kind} message to {args.chat_id}.")
    return OK

