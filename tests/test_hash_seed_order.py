"""Output and stored data that must not follow the process's hash seed: two web or ingest
processes (PYTHONHASHSEED differs per process) must write the same page and the same rows.
Each test gives the same set in two orders, as two processes could iterate it."""

import pytest

from app import gazetteer as gz
from app.enrich.discovery import discovery_for


@pytest.mark.parametrize("owners", [["smic", "smee"], ["smee", "smic"]])
def test_a_misspelling_close_to_two_owners_goes_to_the_same_one(owners):
    # "Smie" is one letter from SMIC and from SMEE: the suggestion names one owner, the same
    # whichever order the article's owners (a set) come in.
    found = discovery_for(gz.default())._spellings(
        "Shanghai's Smie said it would appeal.", [], "en", owners
    )
    assert [(c.key, c.name) for c in found] == [("smee:smie", "Smie")]
