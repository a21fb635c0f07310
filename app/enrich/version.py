"""The enrichment version each article records (articles.gazetteer_version): which release's
enrichment tagged it, so the worker can tell stored articles an earlier release enriched and
re-tag them (app/article/retag.py, queue_outdated).

It is "<shipped gazetteer version>+e-<digest>", the digest of the enrichment code (this package's
files: tagger, restriction linker and its model, citations, dates), of the text folding they
and the search rows compare by (app/text.py and its Han variants table) and of the topic
concepts' version (app/gazetteer/data/topics.json, the concept tokens of each search row), so a release
that changes any of them changes it without anyone bumping a constant. Accepted gazetteer
changes (the overlay) are not in it: their own re-tag jobs bring stored articles up to date.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from app.gazetteer import DATA_DIR

PACKAGE = Path(__file__).parent
TOPICS_FILE = DATA_DIR / "topics.json"  # the topic concepts (app/search/concepts.py)
# How every text is folded before it is matched or indexed (read as files: app.text is imported
# by this package, and a digest of what it folds to would be no cheaper).
FOLDING_FILES = (PACKAGE.parent / "text.py", PACKAGE.parent / "data" / "text" / "han_variants.tsv")
# Tools beside the enrichment that tagging never runs: editing them re-tags nothing.
NOT_TAGGING = frozenset(
    {"discovery.py", "evaluate.py", "evaluate_restrictions.py", "train_linker.py", "version.py"}
)


@lru_cache
def code_version(
    package: Path = PACKAGE,
    topics_file: Path = TOPICS_FILE,
    folding: tuple[Path, ...] = FOLDING_FILES,
) -> str:
    """A digest of the package's enrichment files, the folding files and the topics file (read
    here rather than through app.search.concepts, which imports this package)."""
    digest = hashlib.sha256(topics_file.read_bytes())
    for path in folding:
        digest.update(path.read_bytes())
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json") and path.name not in NOT_TAGGING:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return "e-" + digest.hexdigest()[:12]


def enrichment_version(shipped_gazetteer_version: str) -> str:
    """What an enricher of this shipped gazetteer records on the articles it tags (29 chars)."""
    return f"{shipped_gazetteer_version}+{code_version()}"
