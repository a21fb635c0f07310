"""Output and stored data that must not follow the process's hash seed: two web or ingest
processes (PYTHONHASHSEED differs per process) must write the same page and the same rows.
A test either gives the same set in two orders, as two processes could iterate it, or runs
the same code in processes with different seeds."""

import os
import subprocess
import sys

import pytest

from app import ROOT
from app import gazetteer as gz
from app.enrich.discovery import discovery_for

SEEDS = ("0", "1", "2", "3")


def under_seeds(code: str) -> list[str]:
    """The output of `code` run in one fresh process per hash seed."""
    outputs = []
    for seed in SEEDS:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    return outputs


@pytest.mark.parametrize("owners", [["smic", "smee"], ["smee", "smic"]])
def test_a_misspelling_close_to_two_owners_goes_to_the_same_one(owners):
    # "Smie" is one letter from SMIC and from SMEE: the suggestion names one owner, the same
    # whichever order the article's owners (a set) come in.
    found = discovery_for(gz.default())._spellings(
        "Shanghai's Smie said it would appeal.", [], "en", owners
    )
    assert [(c.key, c.name) for c in found] == [("smee:smie", "Smie")]


def test_a_link_reason_names_the_agency_the_sentence_names_first():
    # Commerce and its BIS both act for the United States here: the stored reason names the
    # one the sentence names first, in every process (it named either, by the hash seed).
    code = """
from datetime import UTC, datetime
from app.enrich import default_enricher
title = "미 상무부, 엔비디아 H20 중국 수출 허가 발급 시작"
body = "미 상무부 산업안보국이 엔비디아에 H20 칩의 중국 수출 허가를 발급하기 시작했다."
day = datetime(2025, 8, 12, tzinfo=UTC)
print(default_enricher().enrich(title, body, day).restrictions["2025-08-revenue-share-deal"].reason)
"""
    reasons = under_seeds(code)
    assert reasons[0].startswith("matched: H20 + US Department of Commerce + ")
    assert set(reasons) == {reasons[0]}
