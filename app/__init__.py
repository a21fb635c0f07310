"""chipwatch: a searchable dashboard of AI-chip export-control news."""

from pathlib import Path

__version__ = "0.1.0"

# templates/, static/ and migrations/ sit beside the package in the repository.
ROOT = Path(__file__).resolve().parent.parent
