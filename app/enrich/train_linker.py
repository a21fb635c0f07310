"""Fit the restriction linker's logistic model on the DEVELOPMENT part of the labelled set.

    python -m app.enrich.train_linker            # writes app/enrich/data/linker_model.json

Every restriction that some sentence of a dev article points to is one example: its best
sentence's evidence (app/enrich/resolve.py FEATURES) and whether the article's gold lists it.
scikit-learn fits the weights (L2, balanced classes); the threshold and the within-sentence
margin are then chosen on the same dev part for the best F1 of the whole linker (named, matched
and resolved links together). The test part is never read here. Needs the `train` extra.
"""

import json
import sys
from datetime import datetime

from app import gazetteer as gz
from app.enrich import Enricher
from app.enrich.evaluate import load_eval_set
from app.enrich.evaluate_restrictions import evaluate_restrictions, load_restriction_set
from app.enrich.resolve import FEATURES, MODEL


def _examples(enricher: Enricher, articles: list[dict]):
    X, y = [], []
    for art in articles:
        published = datetime.fromisoformat(art["published_at"])
        title = art.get("title", "")
        document = f"{title}\n{art['body']}" if title else art["body"]
        mentions = enricher.find(art["body"], document)
        title_hits = enricher.find(title, document) if title else []
        gold = (
            set(art["reported"]) | set(art["context"])
            if "reported" in art
            else set(art["gold"]["restriction"])
        )
        for rid, ev in enricher.linker.features_of(
            title, art["body"], title_hits, mentions, published
        ).items():
            X.append(ev.vector())
            y.append(int(rid in gold))
    return X, y


def train(seed: int = 0) -> dict:
    from sklearn.linear_model import LogisticRegression

    enricher = Enricher(gz.default())
    dev = [a for a in load_restriction_set() if a["part"] == "dev"]
    # The entity evaluation set's restriction labels add examples (its articles are not news-
    # style, but every restriction in them is labelled); the test part is never read.
    X, y = _examples(enricher, dev + load_eval_set())
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000, random_state=seed)
    model.fit(X, y)
    fitted = {
        "features": list(FEATURES),
        "bias": round(float(model.intercept_[0]), 4),
        "weights": {f: round(float(w), 4) for f, w in zip(FEATURES, model.coef_[0])},
        "examples": len(y),
        "positives": int(sum(y)),
        "trained_on": "restrictions.jsonl dev part + articles.jsonl restriction labels",
    }
    best = None
    for threshold in [0.0] + [t / 100 for t in range(5, 96, 5)]:
        for margin in (0.0, 0.05, 0.1):  # rivals within a hair of the best, no more
            enricher.linker.model = {**fitted, "threshold": threshold, "margin": margin}
            s = evaluate_restrictions(dev, enricher)["dev"].score
            key = (round(s.f1, 4), round(s.precision, 4), -margin, -threshold)
            if best is None or key > best[0]:
                best = (key, threshold, margin)
    fitted["threshold"], fitted["margin"] = best[1], best[2]
    fitted["dev_f1"] = best[0][0]
    return fitted


def main() -> None:
    fitted = train()
    MODEL.parent.mkdir(parents=True, exist_ok=True)
    MODEL.write_text(json.dumps(fitted, indent=2) + "\n", encoding="utf-8")
    json.dump(fitted, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
