"""Under CI, a missing service fails the run for every usual truthy spelling of CI."""

import pytest

from tests.live import missing, under_ci


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "Yes", "on", " true "])
def test_truthy_spellings_count_as_ci(value):
    assert under_ci({"CI": value})


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off"])
def test_other_values_do_not(value):
    assert not under_ci({"CI": value})
    assert not under_ci({})


@pytest.mark.parametrize("value", ["1", "yes"])
def test_a_missing_service_fails_under_ci(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="is required under CI"):
        missing("a service", "absent")


def test_a_missing_service_skips_locally(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        missing("a service", "absent")
