"""The enrichment version each article records (articles.gazetteer_version): which release's
enrichment tagged it, so the worker can tell stored articles an earlier release enriched and
re-tag them (app/article/retag.py, queue_outdated).

It is "<shipped gazetteer version>+e-<digest>", the digest of the enrichment code (this package's
files: tagger, restriction linker and its model, citations, dates) and of the topic concepts'
version (app/gazetteer/data/topics.json, the concept tokens of each search row), so a release
that changes any of them changes it without anyone bumping a constant. Accepted gazetteer
changes (the overlay) are not in it: their own re-tag jobs bring stored articles up to date.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).parent
# Tools beside the enrichment that tagging never runs: editing them re-tags nothing.
NOT_TAGGING = frozenset(
    {"discovery.py", "evaluate.py", "evaluate_restrictions.py", "train_linker.py", "version.py"}
)


@lru_cache
def code_version(package: Path = PACKAGE) -> str:
    """A digest of the package's enrichment files and the topics' version."""
    from app.search import concepts  # imports this package's tagger: not at import time

    digest = hashlib.sha256(concepts.topics().version.encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json") and path.name not in NOT_TAGGING:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return "e-" + digest.hexdigest()[:12]


def enrichment_version(shipped_gazetteer_version: str) -> str:
    """What an enricher of this shipped gazetteer records on the articles it tags (29 chars)."""
    return f"{shipped_gazetteer_version}+{code_version()}"
