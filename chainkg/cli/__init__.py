"""The chainkg command line: a thin layer over the library.

Each command parses options, calls one public function, renders the result and turns
:class:`~chainkg.errors.ChainKGError` into ``Error: …`` with exit status 1. Usage
errors exit 2. Tracebacks appear only with ``--debug``.

The commands live by family: :mod:`~chainkg.cli.data` (the data directory itself),
:mod:`~chainkg.cli.queries`, :mod:`~chainkg.cli.outputs` (export, viz, report) and
:mod:`~chainkg.cli.imports`; :mod:`~chainkg.cli.base` holds the group and the options
they share.
"""

from chainkg.cli import data, imports, outputs, queries  # noqa: F401  (each registers its commands)
from chainkg.cli.base import cli, main

__all__ = ["cli", "main"]
