"""FastAPI's own OpenTelemetry (app/main.py _telemetry): off where nothing set OpenTelemetry up
(its per-request check cost the event loop ~15-60 us), FastAPI's default as soon as the
environment speaks of it."""

import pytest

from app.main import OTEL_OFF, _telemetry


def test_off_without_opentelemetry_in_the_environment(monkeypatch):
    import os
    import sys

    for name in [n for n in os.environ if n.startswith(("OTEL_", "FASTAPI_OTEL_"))]:
        monkeypatch.delenv(name)
    monkeypatch.delitem(sys.modules, "opentelemetry.sdk", raising=False)
    assert _telemetry() == OTEL_OFF


@pytest.mark.parametrize(
    "name", ["OTEL_SERVICE_NAME", "OTEL_PYTHON_TRACER_PROVIDER", "FASTAPI_OTEL_AUTO_CONFIGURE"]
)
def test_fastapis_default_when_the_environment_asks_for_it(monkeypatch, name):
    monkeypatch.setenv(name, "true")
    assert _telemetry() is None


def test_fastapis_default_when_the_sdk_is_loaded(monkeypatch):
    import sys
    import types

    monkeypatch.setitem(sys.modules, "opentelemetry.sdk", types.ModuleType("opentelemetry.sdk"))
    assert _telemetry() is None
