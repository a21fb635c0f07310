"""What the restriction linker finds in one probe article (shared by the linker's test files,
test_restriction_linker*.py)."""

from datetime import UTC, datetime


def links(enricher, body, when, title=""):
    """The article's restriction links (id -> RestrictionLink), published on day `when`."""
    day = datetime.fromisoformat(when).replace(tzinfo=UTC)
    return enricher.enrich(title, body, day).restrictions


def why(found):
    """Each link's role and reason, to compare or to show in a failing assert."""
    return {k: (v.role, v.reason) for k, v in found.items()}
