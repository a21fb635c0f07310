"""chipwatch: a searchable dashboard of AI-chip export-control news."""

from pathlib import Path

__version__ = "0.1.0"

# templates/, static/ and migrations/ ship inside the package (so an installed wheel has them).
PACKAGE = Path(__file__).resolve().parent
# The source checkout (tests, bench, docs); only meaningful when running from one.
ROOT = PACKAGE.parent
