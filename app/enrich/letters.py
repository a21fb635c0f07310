"""Actions delivered by a letter to the companies concerned, never published as a rule (the
"is-informed" letters of August 2022 on the A100 and H100, the April 2025 letter on the H20).

An article that says a government told a company to stop selling a chip, dated by a year
alone ("Washington told Nvidia in 2022 to stop selling the A100", «2022年美国要求英伟达停止
出售A100», «طلبت منها واشنطن في عام 2022 التوقف عن بيع A100»), means the letter of that year:
the telling is what a letter does. The year alone would otherwise mean its best-known action,
the published rule on the same chips that came later (resolve.RestrictionLinker._told_by_letter).
"""

from app.gazetteer.documents import primary_document


def by_letter(raw: dict) -> bool:
    """Whether the restriction's primary document is an unpublished one (a letter to the
    companies, known from their filings), as the gazetteer records it."""
    doc = primary_document(raw)
    return doc is not None and not doc["published"]
