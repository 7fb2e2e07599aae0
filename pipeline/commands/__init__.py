"""One module per command, each with ``run(args, config, reporter) -> summary line``;
cli.py dispatches to them by name (and imports only the one it runs: ``update`` runs in CI
and editors' save hooks, where start-up time is most of its time)."""

COMMANDS = {
    "import": "pipeline.commands.import_text",
    "extract": "pipeline.commands.extract",
    "update": "pipeline.commands.update",
    "check": "pipeline.commands.check",
    "stats": "pipeline.commands.stats",
    "build": "pipeline.commands.build",
    "export-xliff": "pipeline.commands.xliff",
    "import-xliff": "pipeline.commands.xliff",
}
