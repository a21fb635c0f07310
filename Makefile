# The two quickstart commands (README) and a few helpers.
.PHONY: demo test serve lint clean

demo:  ## run chipwatch on the embedded default (SQLite + FTS5) at http://127.0.0.1:8000
	./scripts/bootstrap.sh
	.venv/bin/chipwatch demo

test:  ## the whole test suite, on SQLite and PostgreSQL, with the real Meilisearch
	./scripts/test.sh

serve:
	./scripts/bootstrap.sh
	.venv/bin/chipwatch serve

clean:
	rm -rf .venv .chipwatch .cache
