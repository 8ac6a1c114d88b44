"""Every argument command: see reconciler.cli.parser.COMMANDS."""
