"""The alert-delivery kill drill keeps working: a short run (3 SIGKILLs of the real worker
process during webhook deliveries, one of each moment) on SQLite and PostgreSQL; the 20-kill
run and its report come from `python -m bench.drills alerts-kill` (bench/reports)."""

import json
import os
import subprocess
import sys

import pytest

from app import ROOT
from tests.conftest import PG_ADMIN, _pg_available
from tests.live import missing


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_alerts_kill_drill_smoke(request, tmp_path, database):
    report = tmp_path / "report.json"
    args = [
        sys.executable,
        "-m",
        "bench.drills",
        "alerts-kill",
        "--kills",
        "3",
        "--per-wave",
        "4",
        "--report",
        str(report),
    ]
    if database == "postgresql":
        if not _pg_available():
            missing("PostgreSQL", f"not reachable at {PG_ADMIN}")
        name = f"chipwatch_alerts_drill_{os.getpid()}"
        args += ["--database-url", PG_ADMIN.rsplit("/", 1)[0] + "/" + name]

        def drop() -> None:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        request.addfinalizer(drop)
    done = subprocess.run(args, cwd=ROOT, check=False, capture_output=True, text=True, timeout=300)
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    data = json.loads(report.read_text())
    failed = [c for c in data["checks"] if not c["passed"]]
    assert not failed and data["passed"] and done.returncode == 0, (failed, done.stdout[-3000:])
    result = data["result"]
    assert result["kills"] == 3 and set(result["kill_modes"]) == {
        "in-flight",
        "answered",
        "mid-round",
    }
    assert result["expected_pairs"] == result["distinct_pairs_received"] > 0
    # A kill while the receiver held its answer: those articles came again, with the same ids,
    assert result["raw_duplicate_article_copies"] >= 1
    # ... as the same batch: the same Idempotency-Key, nothing left over after dropping by it.
    assert result["posts_repeated_with_the_same_idempotency_key"] >= 1
    assert result["article_copies_left_after_idempotency_key_dedup"] == 0
