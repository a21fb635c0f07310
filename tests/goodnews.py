"""Distinct, valid English articles for ingestion tests (written here, seeded: same every run)."""

import random

SUBJECTS = ["Nvidia", "AMD", "Huawei", "ASML", "TSMC", "Intel", "Samsung", "SMIC", "Cambricon", "Micron"]
VERBS = ["said", "warned", "expects", "reported", "confirmed", "denied", "announced", "estimated"]
OBJECTS = ["export licences", "quarterly sales", "shipments to China", "new accelerator orders",
           "restrictions on advanced chips", "its data-centre revenue", "supply of lithography tools",
           "demand for memory", "compliance costs", "inventory write-downs"]
WORDS = ("analysts regulators customers suppliers factories engineers investors officials markets "
         "capacity wafers packaging servers clusters budgets forecasts margins contracts").split()


def good_items(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    items = []
    for i in range(count):
        sentences = []
        for _ in range(4):
            tail = " ".join(rng.sample(WORDS, 6))
            sentences.append(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
                             f"would change, citing {tail} and item {i}.")
        items.append({"title": f"Chip report number {i}", "body": " ".join(sentences)})
    return items
