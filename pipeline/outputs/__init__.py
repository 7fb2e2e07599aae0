"""One module per kind of output under ``output/``; each writes through the build's
OutputWriter (writer.py) and is called by name from ``build()`` (see docs/architecture.md)."""
