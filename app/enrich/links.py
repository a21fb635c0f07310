"""What the linker says about one restriction an article is linked to."""

from dataclasses import dataclass

ROLES = ("reported", "context")


@dataclass(frozen=True)
class RestrictionLink:
    role: str  # "reported": the article's news; "context": referred back to
    reason: str  # why it was linked, for people ("H20 + licence + April 2025")
    score: float = 1.0  # the linker's confidence (1.0 for a restriction named by its alias)
