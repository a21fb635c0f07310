# The two quickstart commands (README) and a few helpers.
.PHONY: demo test serve bench lock clean distclean

PORT ?= 8000

demo:  ## run chipwatch on the embedded default (SQLite + FTS5) at http://127.0.0.1:$(PORT) (make demo PORT=8123)
	./scripts/bootstrap.sh
	.venv/bin/chipwatch demo --port $(PORT)

test:  ## the whole test suite, on SQLite and PostgreSQL, with the real Meilisearch
	./scripts/test.sh

serve:
	./scripts/bootstrap.sh
	.venv/bin/chipwatch serve --port $(PORT)

lock:  ## refresh requirements/*.lock (hashed) after a dependency change in pyproject.toml
	./scripts/lock.sh

clean:  ## the virtualenv and the demo's data; downloads (Meilisearch, uv) stay in .cache
	rm -rf .venv .chipwatch

distclean: clean  ## everything make created, downloads included
	rm -rf .cache

bench:  ## ingestion and search benchmarks at 10k and 100k articles, reliability drills, freshness; reports in bench/reports/
	./scripts/bootstrap.sh test
	.venv/bin/python -m bench.search --count 10000 --report bench/reports/search-10k.json
	.venv/bin/python -m bench.search --count 100000 --report bench/reports/search-100k.json
	.venv/bin/python -m bench.ingest --count 10000 100000 --report bench/reports/ingest-sqlite.json
	.venv/bin/python -m bench.ingest --count 10000 100000 --database-url postgresql://postgres@127.0.0.1:5432/$${BENCH_PG_DB:-chipwatch_bench} --report bench/reports/ingest-postgresql.json
	.venv/bin/python -m bench.drills kill --count 10000 --report bench/reports/drill-kill-sqlite.json
	.venv/bin/python -m bench.drills kill --count 10000 --database-url postgresql://postgres@127.0.0.1:5432/$${BENCH_PG_DRILL_DB:-chipwatch_drill} --report bench/reports/drill-kill-postgresql.json
	.venv/bin/python -m bench.drills meili-outage --count 10000 --outage-seconds 60 --report bench/reports/drill-meili-outage.json
	.venv/bin/python -m bench.drills meili-outage --count 10000 --outage-seconds 60 --outage-mode stop --report bench/reports/drill-meili-outage-stop.json
	.venv/bin/python -m bench.drills alerts-kill --kills 20 --report bench/reports/drill-alerts-kill.json
	.venv/bin/python -m bench.drills alerts-kill --kills 20 --database-url postgresql://postgres@127.0.0.1:5432/$${BENCH_PG_ALERTS_DB:-chipwatch_alerts_drill} --report bench/reports/drill-alerts-kill-postgresql.json
	.venv/bin/python -m bench.freshness --samples 50 --report bench/reports/freshness.json
	.venv/bin/python -m bench.freshness --samples 50 --load 50000 --report bench/reports/freshness-under-load.json
