"""`appchat emulator`: the work is in reconciler.emulator.cli."""


def run(args):
    from reconciler.emulator.cli import run as r
    return r(args)
