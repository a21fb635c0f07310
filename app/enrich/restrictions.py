"""Restrictions an article refers to without naming them.

Rule: "since April ... restrictions on the H20" points to the April 2025 H20 licence
requirement. An article is linked to restriction R when, within one window of text, it names
a chip or company that R concerns, a restriction word (restrictions, قيود, 限制, interdiction)
and the month of R's date; and the article is not dated before R. Among several candidates
for the same chip and month, the most recent one before the article wins.
"""

from datetime import datetime

from app.enrich.tagger import Hit
from app.gazetteer import Gazetteer
from app.text import is_whole_word, normalize

WINDOW = 200  # characters around the chip mention


class RestrictionRule:
    def __init__(self, gazetteer: Gazetteer):
        self.restrictions = [
            e for e in gazetteer.of_type("restriction") if e.date and e.raw.get("concerns")
        ]
        ctx = gazetteer.context
        self._words = [normalize(w) for ws in ctx.get("restriction_words", {}).values() for w in ws]
        self._months = {m: [normalize(w) for w in ws] for m, ws in ctx.get("months", {}).items()}

    def infer(self, body: str, hits: list[Hit], published_at: datetime | None) -> set[str]:
        mentioned = {h.entity_id for h in hits}
        found: dict[tuple[str, str], tuple] = {}
        for rx in self.restrictions:
            if published_at and rx.date > published_at.date():
                continue
            concerns = rx.raw["concerns"]
            targets = set(concerns.get("chip", [])) | set(concerns.get("company", []))
            if not targets & mentioned:
                continue
            month_words = self._months.get(f"{rx.date.month:02d}", [])
            for hit in hits:
                if hit.entity_id not in targets:
                    continue
                window = normalize(body[max(0, hit.start - WINDOW):hit.end + WINDOW])
                if any(w in window for w in self._words) and any(
                    _has_word(window, m) for m in month_words
                ):
                    key = (hit.entity_id, month_words[0] if month_words else "")
                    if key not in found or found[key][0] < rx.date:
                        found[key] = (rx.date, rx.id)
                    break
        return {rx_id for _date, rx_id in found.values()}


def _has_word(window: str, word: str) -> bool:
    """Month names as whole words: "may" is not in "mayor", آب not in علي بابا, 4月 not in 14月."""
    start = window.find(word)
    while start != -1:
        end = start + len(word)
        if is_whole_word(window, start, end) and not (
                word[0].isdigit() and start > 0 and window[start - 1].isdigit()):
            return True
        start = window.find(word, start + 1)
    return False
