"""A restriction's primary document, as restrictions.json records it (its `document` object).

Published rules carry their Federal Register citation ("90 FR 4544"), document number,
publication and effective dates and links; a restriction never published as a rule (an
is-informed letter) has `"published": false`, a note saying so and `links` to what is public.
`amendments` lists later documents that changed it. These helpers give every page and JSON twin
the same shape, whatever the data leaves out.
"""

FIELDS = (
    "citation",
    "document_number",
    "type",
    "title",
    "action",
    "publication_date",
    "effective_on",
    "html_url",
    "pdf_url",
    "docket_ids",
    "note",
    "links",
    "restriction",
    "date",
)


def _clean(raw: dict) -> dict:
    out: dict = {k: raw.get(k) for k in FIELDS if raw.get(k) not in (None, "", [])}
    out["published"] = bool(
        raw.get("published", bool(raw.get("document_number") or raw.get("citation")))
    )
    out["url"] = raw.get("html_url") or raw.get("pdf_url") or (raw.get("links") or [None])[0]
    if raw.get("citation"):
        out["label"] = raw["citation"]
    elif raw.get("document_number"):
        out["label"] = f"FR Doc. {raw['document_number']}"
    else:
        out["label"] = "Not published as a rule"
    return out


def primary_document(data: dict | None) -> dict | None:
    """The restriction's primary document, or None when the data has none."""
    raw = (data or {}).get("document")
    return _clean(raw) if isinstance(raw, dict) else None


def amendments(data: dict | None) -> list[dict]:
    """Later documents that changed the restriction, oldest first (as the data lists them)."""
    return [_clean(a) for a in (data or {}).get("amendments") or [] if isinstance(a, dict)]


def related_documents(data: dict | None) -> list[dict]:
    """Documents published with it (companion rules)."""
    return [_clean(a) for a in (data or {}).get("related_documents") or [] if isinstance(a, dict)]
