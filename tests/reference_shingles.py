"""shingle_array in its plain form (one token pattern, Arabic letters folded by a table,
np.unique), kept as the reference its faster versions are compared with."""

import unicodedata

import numpy as np

from app.article import linking

_ARABIC_FOLD = str.maketrans("أإآٱىة", "اااايه")


def plain_shingle_array(text: str) -> np.ndarray:
    folded = linking._ARABIC_MARKS.sub(
        "", unicodedata.normalize("NFKC", text).casefold()
    ).translate(_ARABIC_FOLD)
    words = linking._TOKEN.findall(folded)
    if not words:
        return linking._EMPTY
    h = np.fromiter(map(linking._word_hash, words), dtype=np.uint64, count=len(words))
    if len(h) < linking.SHINGLE_WORDS:
        h = np.concatenate([h, np.zeros(linking.SHINGLE_WORDS - len(h), dtype=np.uint64)])
    n = len(h) - linking.SHINGLE_WORDS + 1
    with np.errstate(over="ignore"):
        mixed = h[:n].copy()
        for k in range(1, linking.SHINGLE_WORDS):
            mixed = mixed * linking._M + h[k : k + n]
    return np.unique(mixed.view(np.int64))
