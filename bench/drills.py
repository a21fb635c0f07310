"""Reliability drills: SIGKILL `chipwatch ingest` and `chipwatch worker` at random points, or take
Meilisearch away in the middle of an ingest; then check every article is stored and indexed once.

    python -m bench.drills kill --count 10000 [--ingest-kills 15 --worker-kills 30 --seed 1]
                                [--database-url postgresql://...] [--report bench/reports/drill-kill.json]
    python -m bench.drills alerts-kill [--kills 20 --database-url postgresql://...]
                                [--report bench/reports/drill-alerts-kill.json]
    python -m bench.drills meili-outage --count 10000 [--outage-seconds 60 --outage-mode kill|stop]
                                [--database-url postgresql://...] [--report bench/reports/drill-outage.json]

Everything runs as in production, as separate processes: a real Meilisearch 1.21 (MEILI_BIN, the
.cache binary or scripts/provision-meili.sh) on a free loopback port with a master key and a
scratch data dir, the app talking to it with a key limited to what it needs (created with the
master key); `chipwatch ingest corpus.jsonl` and `chipwatch worker` as children on a fresh SQLite
database (or a fresh PostgreSQL database with --database-url).

kill: the ingest and the worker are each SIGKILLed at random moments (a seeded RNG draws each
delay in [--min-interval, --max-interval] seconds, counted from the child's start or, for the
ingest, often from its first new commit so that kills also land mid-batch) and restarted at once;
the ingest is restarted until it exits 0 (a rerun skips what is stored: duplicates are expected),
and the drill ends when the outbox is drained. meili-outage: with the ingest and the worker
running, Meilisearch is SIGKILLed (or SIGSTOPped) for --outage-seconds, then restarted on the
same data dir and port; nothing else is done: the worker must catch up on its own, and the
catch-up time is measured.

Checks (the exit status is 0 only when all pass): the database holds exactly the articles of a
clean, unkilled ingest of the same file into a separate database (the generated corpus contains
near-duplicates on purpose: they are stored with duplicate_of set), with the same near-duplicate
and same-story links; no article stored twice (URL, content hash); the outbox is drained;
Meilisearch holds one document per article that is not a near-duplicate (the indexer leaves
copies out), the same set of ids, and every document equals what the indexer would write now.
"""

import argparse
import json
import os
import platform
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from pydantic import SecretStr

from app import ROOT
from app.config import Settings
from bench.ingest import fresh_pg_database, write_corpus
from bench.search import free_port

PY = sys.executable
INDEX = "drill"
NOTE = "2 shared cores: other work runs on the machine, timings are noisy"


# --- Meilisearch ------------------------------------------------------------------------------

def meili_binary() -> str:
    """MEILI_BIN, the cached binary, or whatever scripts/provision-meili.sh finds or fetches."""
    for candidate in (os.environ.get("MEILI_BIN"), ROOT / ".cache" / "meilisearch-1.21.0" / "meilisearch"):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    done = subprocess.run([str(ROOT / "scripts" / "provision-meili.sh")], check=False, capture_output=True, text=True)
    path = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode != 0 or not os.access(path, os.X_OK):
        raise SystemExit(f"no Meilisearch binary (set MEILI_BIN): {done.stderr.strip()[-300:]}")
    return path


class Meili:
    """One Meilisearch on a fixed loopback port and data dir: start() again after a kill keeps both."""

    def __init__(self, binary: str, workdir: Path):
        self.binary, self.workdir = binary, workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.master_key = secrets.token_hex(24)
        self.process: subprocess.Popen | None = None
        self.paused = False
        self.started_once = False  # after that, the port must stay the same (clients know it)

    def start(self, timeout: float = 60) -> float:
        """Start and wait for /health; returns the seconds it took. The port was only free when
        it was chosen: on the first start, a port taken meanwhile means another one."""
        for _ in range(5):
            took = self._start_once(timeout)
            if took is not None:
                self.started_once = True
                return took
            log = (self.workdir / "meilisearch.log").read_text(errors="replace")
            if self.started_once or "Address already in use" not in log:
                raise RuntimeError(f"meilisearch exited {self.process.returncode}; see {self.workdir}")
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
        raise RuntimeError("meilisearch found no free port in 5 attempts")

    def _start_once(self, timeout: float) -> float | None:
        started = time.monotonic()
        with open(self.workdir / "meilisearch.log", "ab") as log:
            # The flags of the test suite's server (tests/conftest_meili.py).
            self.process = subprocess.Popen(
                [self.binary, "--db-path", str(self.workdir / "meili.ms"), "--http-addr",
                 f"127.0.0.1:{self.port}", "--master-key", self.master_key, "--env", "development",
                 "--no-analytics", "--max-indexing-threads", "1", "--max-indexing-memory", "512Mb",
                 "--log-level", "WARN"], cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                return None
            if self.healthy():
                return time.monotonic() - started
            time.sleep(0.05)
        raise RuntimeError(f"meilisearch did not come up within {timeout}s")

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/health", timeout=1).json().get("status") == "available"
        except (httpx.HTTPError, ValueError):
            return False

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.paused = False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        if self.paused:
            self.resume()
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()

    def master(self):
        import meilisearch

        return meilisearch.Client(self.url, self.master_key, timeout=60)

    def app_key(self) -> str:
        from app.search.meili import create_app_key

        return create_app_key(self.master(), ["*"], "chipwatch drill")


# --- children ---------------------------------------------------------------------------------

class Child:
    """A chipwatch command run (and re-run) as a child process; stderr appended to a log."""

    def __init__(self, name: str, args: list[str], env: dict, workdir: Path):
        self.name, self.args, self.env, self.workdir = name, args, env, workdir
        self.process: subprocess.Popen | None = None
        self.started = 0.0
        self.runs = self.kills = 0
        self.exits: list[int] = []  # exit codes of runs that ended on their own

    def start(self) -> None:
        with open(self.workdir / f"{self.name}.log", "ab") as log, \
                open(self.workdir / f"{self.name}.out", "wb") as out:
            # Its own process group: a kill takes the command's helper processes too (the
            # ingest reads large files in a process pool), as a crash of the command would.
            self.process = subprocess.Popen([PY, "-m", "app", *self.args], env=self.env, cwd=ROOT,
                                            stdout=out, stderr=log, start_new_session=True)
        self.started = time.monotonic()
        self.runs += 1

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> bool:
        """SIGKILL; True when it was still running (a real kill)."""
        if not self.alive:
            self._killpg(signal.SIGKILL)  # helpers it may have left behind
            return False
        self._killpg(signal.SIGKILL)
        self.process.wait()
        self.kills += 1
        return True

    def _killpg(self, sig: int) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def terminate(self, timeout: float = 20) -> None:
        if self.alive:
            self._killpg(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._killpg(signal.SIGKILL)

    def output(self) -> str:
        return (self.workdir / f"{self.name}.out").read_text()


def child_env(settings: Settings) -> dict:
    """The environment of a chipwatch child: only these CHIPWATCH_ settings, nothing inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPWATCH_")}
    env.update({"CHIPWATCH_DATA_DIR": str(settings.data_dir), "CHIPWATCH_LOG_FORMAT": "text",
                "CHIPWATCH_MEILI_URL": settings.meili_url or "", "CHIPWATCH_MEILI_INDEX": settings.meili_index,
                "CHIPWATCH_API_RATE_LIMIT": "0"})
    if settings.meili_key:
        env["CHIPWATCH_MEILI_KEY"] = settings.meili_key.get_secret_value()
    if settings.database_url:
        env["CHIPWATCH_DATABASE_URL"] = settings.database_url
    return env


def chipwatch(settings: Settings, *args: str, timeout: float = 3600) -> str:
    done = subprocess.run([PY, "-m", "app", *args], env=child_env(settings), cwd=ROOT,
                          check=False, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"chipwatch {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def ingest_report(stdout: str) -> dict:
    report = json.loads(stdout.strip().splitlines()[-1])
    return {"added": report["added"], "duplicates": report["duplicates"], "rejected": len(report["rejected"])}


# --- the database, read from the drill process --------------------------------------------------

class Database:
    def __init__(self, settings: Settings):
        from app.db import make_engine

        self.engine = make_engine(settings)

    def scalar(self, sql: str, **params):
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def articles(self) -> int:
        return self.scalar("SELECT count(*) FROM articles")

    def outbox(self, up_to: int | None = None) -> int:
        if up_to is None:
            return self.scalar("SELECT count(*) FROM index_outbox")
        return self.scalar("SELECT count(*) FROM index_outbox WHERE id <= :mark", mark=up_to)

    def outbox_mark(self) -> int:
        return self.scalar("SELECT coalesce(max(id), 0) FROM index_outbox")

    def snapshot(self) -> dict:
        """What the checks compare, by URL (ids differ between databases)."""
        from sqlalchemy import text

        with self.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT id, url, content_hash, duplicate_of, story_id FROM articles")).all()
        url_of = {r.id: r.url for r in rows}
        stories: dict[str, set[str]] = {}
        for r in rows:
            if r.story_id is not None:
                stories.setdefault(r.story_id, set()).add(r.url)
        return {
            "rows": len(rows), "urls": [r.url for r in rows], "hashes": [r.content_hash for r in rows],
            "copies": {r.url: url_of.get(r.duplicate_of) for r in rows if r.duplicate_of is not None},
            "stories": {frozenset(urls) for urls in stories.values()},
            "indexable_ids": {r.id for r in rows if r.duplicate_of is None},
        }

    def close(self) -> None:
        self.engine.dispose()


def reference(corpus: Path, workdir: Path, database_url: str | None) -> dict:
    """A clean, unkilled ingest of the corpus into its own database (no Meilisearch)."""
    if database_url:
        database_url += "_ref"
        fresh_pg_database(database_url)
    settings = Settings(data_dir=workdir / "reference", database_url=database_url, meili_url=None)
    chipwatch(settings, "db", "upgrade")
    started = time.monotonic()
    report = ingest_report(chipwatch(settings, "ingest", "--json", str(corpus)))
    seconds = time.monotonic() - started
    db = Database(settings)
    try:
        snap = db.snapshot()
    finally:
        db.close()
    return {**snap, "report": report, "seconds": round(seconds, 1)}


# --- checks -----------------------------------------------------------------------------------

def _meili_documents(meili_settings: Settings) -> list[dict]:
    import meilisearch

    client = meilisearch.Client(meili_settings.meili_url, meili_settings.meili_key.get_secret_value(),
                                timeout=120)
    out, offset = [], 0
    while True:
        page = client.index(meili_settings.meili_index).get_documents({"limit": 1000, "offset": offset})
        out.extend(dict(d) for d in page.results)
        offset += len(page.results)
        if offset >= page.total or not page.results:
            return out


def verify(settings: Settings, ref: dict, meili: Meili) -> tuple[list[dict], dict]:
    """The checks, and the numbers behind them."""
    from app.runtime import build_runtime
    from app.search.indexing import load_documents

    db = Database(settings)
    try:
        snap = db.snapshot()
        outbox = db.outbox()
    finally:
        db.close()
    docs = _meili_documents(settings)
    meili_ids = [int(d["id"]) for d in docs]
    # Document contents: what the indexer would write for each article now.
    runtime = build_runtime(settings)
    stale = 0
    try:
        by_id = {int(d["id"]): d for d in docs}
        ids = sorted(snap["indexable_ids"] & set(by_id))
        for start in range(0, len(ids), 500):
            with runtime.sessions() as session:
                expected, _gone = load_documents(session, ids[start:start + 500], runtime.enricher.gazetteer)
            for doc in expected:
                got = {k: by_id[doc["id"]].get(k) for k in doc}
                if json.loads(json.dumps(doc)) != got:
                    stale += 1
    finally:
        runtime.close()
    stray = sorted(i["uid"] for i in meili.master().get_raw_indexes({"limit": 1000})["results"]
                   if i["uid"] != settings.meili_index)
    urls, hashes = snap["urls"], snap["hashes"]
    missing, extra = set(ref["urls"]) - set(urls), set(urls) - set(ref["urls"])
    indexable = snap["indexable_ids"]
    numbers = {
        "expected_articles": ref["rows"], "expected_near_duplicates": len(ref["copies"]),
        "stored_articles": len(urls), "near_duplicates": len(snap["copies"]),
        "indexable_articles": len(indexable), "meili_documents": len(meili_ids),
        "outbox_rows": outbox, "stale_documents": stale, "stray_meili_indexes": stray,
    }
    checks = [
        ("articles stored == clean ingest", len(urls) == ref["rows"], f"{len(urls)} vs {ref['rows']}"),
        ("same articles as clean ingest (by URL)", not missing and not extra,
         f"missing {len(missing)}, extra {len(extra)}"),
        ("no article stored twice (URL, content hash)",
         len(set(urls)) == len(urls) and len(set(hashes)) == len(hashes),
         f"{len(urls) - len(set(urls))} repeated URLs, {len(hashes) - len(set(hashes))} repeated hashes"),
        ("same near-duplicate links as clean ingest", snap["copies"] == ref["copies"],
         f"{len(snap['copies'])} vs {len(ref['copies'])} copies"),
        ("same story groups as clean ingest", snap["stories"] == ref["stories"],
         f"{len(snap['stories'])} vs {len(ref['stories'])} stories"),
        ("index outbox drained", outbox == 0, f"{outbox} rows left"),
        ("Meilisearch documents == articles to index", len(meili_ids) == len(indexable),
         f"{len(meili_ids)} vs {len(indexable)} (near-duplicates are not indexed)"),
        ("Meilisearch ids == database ids, each once",
         set(meili_ids) == indexable and len(set(meili_ids)) == len(meili_ids),
         f"{len(indexable - set(meili_ids))} not indexed, {len(set(meili_ids) - indexable)} extra"),
        ("every document up to date", stale == 0, f"{stale} differ from the database"),
    ]
    return [{"check": c, "passed": bool(ok), "detail": d} for c, ok, d in checks], numbers


# --- the drills -------------------------------------------------------------------------------

class Stack:
    """Corpus, Meilisearch, a migrated database and the reference for one drill."""

    def __init__(self, args, workdir: Path):
        self.workdir = workdir
        self.corpus = workdir / f"corpus-{args.count}.jsonl"
        write_corpus(self.corpus, args.count)
        self.meili = Meili(meili_binary(), workdir)
        self.meili.start()
        database_url = args.database_url
        if database_url:
            fresh_pg_database(database_url)
        self.settings = Settings(data_dir=workdir / "data", database_url=database_url,
                                 meili_url=self.meili.url, meili_key=SecretStr(self.meili.app_key()),
                                 meili_index=INDEX)
        chipwatch(self.settings, "db", "upgrade")
        self.reference = reference(self.corpus, workdir, database_url)
        self.env = child_env(self.settings)
        self.db = Database(self.settings)
        self.ingest = Child("ingest", ["ingest", "--json", str(self.corpus)], self.env, workdir)
        self.worker = Child("worker", ["worker"], self.env, workdir)

    def close(self) -> None:
        for child in (self.ingest, self.worker):
            child.kill()
        self.db.close()
        self.meili.stop()


def run_kill(args, stack: Stack) -> dict:
    rng = random.Random(args.seed)
    lo, hi = args.min_interval, args.max_interval
    ingest, worker, db = stack.ingest, stack.worker, stack.db
    deadline = time.monotonic() + args.timeout
    events: list[dict] = []
    t0 = time.monotonic()

    def event(what: str) -> None:
        events.append({"t": round(time.monotonic() - t0, 2), "event": what,
                       "articles": db.articles(), "outbox": db.outbox()})

    def plan_ingest():
        # Counted from the (re)start, or from the first new commit (so kills land mid-batch too).
        return rng.random() < 0.7, rng.uniform(lo, hi), db.articles(), None

    worker.start()
    ingest.start()
    from_commit, ingest_delay, base, anchor = plan_ingest()
    worker_delay = rng.uniform(lo, hi)
    final = None
    ingest_done = None
    while True:
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError(f"kill drill not done within {args.timeout}s")
        if final is None:
            rc = ingest.process.poll()
            if rc == 0:
                final, ingest_done = ingest_report(ingest.output()), now - t0
                event("ingest exited 0")
            elif rc is not None:  # it died, and not by our hand: a finding
                ingest.exits.append(rc)
                event(f"ingest exited {rc} on its own")
                ingest.start()
                from_commit, ingest_delay, base, anchor = plan_ingest()
            elif ingest.kills < args.ingest_kills:
                if anchor is None:
                    anchor = ingest.started if not from_commit else (now if db.articles() > base else None)
                if anchor is not None and now >= anchor + ingest_delay:
                    if ingest.kill():
                        event(f"SIGKILL ingest (after {now - ingest.started:.1f} s"
                              f"{', mid-write' if from_commit else ''})")
                        ingest.start()
                    from_commit, ingest_delay, base, anchor = plan_ingest()
        rc = worker.process.poll()
        if rc is not None:
            worker.exits.append(rc)
            event(f"worker exited {rc} on its own")
            worker.start()
            worker_delay = rng.uniform(lo, hi)
        elif worker.kills < args.worker_kills and now >= worker.started + worker_delay:
            if worker.kill():
                event(f"SIGKILL worker (after {now - worker.started:.1f} s)")
                worker.start()
            worker_delay = rng.uniform(lo, hi)
        if final is not None and db.outbox() == 0:
            break
        time.sleep(0.05)
    indexed = time.monotonic() - t0
    worker.terminate()
    return {
        "kills": {"ingest": ingest.kills, "worker": worker.kills, "total": ingest.kills + worker.kills},
        "runs": {"ingest": ingest.runs, "worker": worker.runs},
        "unexpected_exits": {"ingest": ingest.exits, "worker": worker.exits},
        "final_ingest_run": final, "ingest_done_seconds": round(ingest_done, 1),
        "all_indexed_seconds": round(indexed, 1), "events": events,
    }


def run_outage(args, stack: Stack) -> dict:
    ingest, worker, db, meili = stack.ingest, stack.worker, stack.db, stack.meili
    deadline = time.monotonic() + args.timeout
    t0 = time.monotonic()
    samples: list[tuple[float, int, int]] = []  # (t, articles, outbox)

    def sample() -> None:
        samples.append((round(time.monotonic() - t0, 1), db.articles(), db.outbox()))

    ingest_done = None

    def check_children() -> None:
        nonlocal ingest_done
        if worker.process.poll() is not None:
            worker.exits.append(worker.process.returncode)
            worker.start()
        if ingest_done is None and ingest.process is not None and ingest.process.poll() is not None:
            ingest_done = time.monotonic() - t0
            if ingest.process.returncode != 0:
                ingest.exits.append(ingest.process.returncode)
                raise RuntimeError(f"ingest exited {ingest.process.returncode}; see {stack.workdir / 'ingest.log'}")

    worker.start()
    while meili_documents(stack) < 0:  # the worker's first round makes the index
        if time.monotonic() > deadline:
            raise RuntimeError("the worker did not create the index")
        check_children()
        time.sleep(0.1)

    def take_down() -> None:
        meili.kill() if args.outage_mode == "kill" else meili.pause()
        if meili.healthy():  # a paused process still holds its port: it must not answer
            raise RuntimeError("Meilisearch still answers after the outage began")

    t0 = time.monotonic()
    if args.outage_after == 0:
        # Down before the first article is committed, so every outbox row of the ingest queues.
        sample()
        down_at = time.monotonic()
        outbox_at_start = db.outbox()
        take_down()
        ingest.start()
        ingest_running = True
    else:
        ingest.start()
        # Steady state first: the worker is feeding the index.
        while not (time.monotonic() - t0 >= args.outage_after and meili_documents(stack) > 0):
            if time.monotonic() > deadline:
                raise RuntimeError("no steady state before the outage")
            check_children()
            time.sleep(0.1)
        sample()
        down_at = time.monotonic()
        outbox_at_start = db.outbox()
        ingest_running = ingest_done is None
        take_down()
    # The outage lasts --outage-seconds, and until the ingest has queued something (a slow start
    # on a busy machine must not leave the drill with nothing to catch up on).
    while time.monotonic() - down_at < args.outage_seconds or (db.outbox() == 0 and ingest_done is None):
        if time.monotonic() > deadline:
            raise TimeoutError(f"outage drill not done within {args.timeout}s")
        check_children()
        sample()
        time.sleep(min(1.0, args.outage_seconds / 10))
    outage_seconds = time.monotonic() - down_at
    # The backlog is counted while Meilisearch is still down: nothing can drain it yet.
    outbox_peak = db.outbox()
    mark = db.outbox_mark()
    backlog = db.outbox(up_to=mark)
    if args.outage_mode == "kill":
        restart_seconds = meili.start()
    else:
        meili.resume()
        restart_seconds = 0.0
    back = time.monotonic()
    catch_up = None
    while True:
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError(f"outage drill not done within {args.timeout}s")
        check_children()
        if catch_up is None and db.outbox(up_to=mark) == 0:
            catch_up = now - back
        if catch_up is not None and ingest_done is not None and db.outbox() == 0:
            break
        if len(samples) < 2000:
            sample()
        time.sleep(0.1)
    indexed = time.monotonic() - t0
    worker.terminate()
    return {
        "outage": {"mode": args.outage_mode, "seconds": args.outage_seconds,
                   "actual_seconds": round(outage_seconds, 1),
                   "started_at_seconds": round(down_at - t0, 1), "ingest_running_at_start": ingest_running,
                   "outbox_at_start": outbox_at_start, "outbox_at_end": outbox_peak,
                   "meili_restart_seconds": round(restart_seconds, 2)},
        "catch_up": {"backlog_rows": backlog, "seconds": round(catch_up, 1),
                     "rows_per_second": round(backlog / catch_up, 1) if catch_up else None},
        "worker_unexpected_exits": worker.exits,
        "final_ingest_run": ingest_report(ingest.output()), "ingest_done_seconds": round(ingest_done, 1),
        "all_indexed_seconds": round(indexed, 1),
        "samples": samples[:: max(1, len(samples) // 60)],
    }


def meili_documents(stack: Stack) -> int:
    """Documents in the live index; -1 while it does not exist."""
    try:
        response = httpx.get(f"{stack.meili.url}/indexes/{INDEX}/stats", timeout=2,
                             headers={"Authorization": f"Bearer {stack.meili.master_key}"})
        return response.json().get("numberOfDocuments", 0) if response.status_code == 200 else -1
    except (httpx.HTTPError, ValueError):
        return -1


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()], "note": NOTE}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="drill", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--count", type=int, default=10_000, help="articles in the generated corpus")
    common.add_argument("--database-url", help="a PostgreSQL URL (the database is dropped and created)")
    common.add_argument("--report", type=Path, help="write the JSON report here")
    common.add_argument("--workdir", type=Path, help="keep corpus, data and logs here (default: temp)")
    common.add_argument("--timeout", type=float, default=3600, help="give up after this many seconds")
    kill = sub.add_parser("kill", parents=[common], help="SIGKILL ingest and worker at random points")
    kill.add_argument("--ingest-kills", type=int, default=15)
    kill.add_argument("--worker-kills", type=int, default=30)
    kill.add_argument("--min-interval", type=float, default=0.5, help="seconds")
    kill.add_argument("--max-interval", type=float, default=3.0, help="seconds")
    kill.add_argument("--seed", type=int, default=1)
    outage = sub.add_parser("meili-outage", parents=[common], help="Meilisearch down mid-ingest")
    outage.add_argument("--outage-seconds", type=float, default=60)
    outage.add_argument("--outage-after", type=float, default=5,
                        help="seconds into the ingest (and documents in the index); 0: as it starts")
    outage.add_argument("--outage-mode", choices=["kill", "stop"], default="kill",
                        help="SIGKILL and restart, or SIGSTOP and SIGCONT")
    alerts = sub.add_parser("alerts-kill", help="SIGKILL the worker during alert deliveries")
    alerts.add_argument("--kills", type=int, default=20)
    alerts.add_argument("--subscriptions", type=int, default=2,
                        help="webhook subscriptions per view")
    alerts.add_argument("--per-wave", type=int, default=6, help="matching articles per wave")
    alerts.add_argument("--controls", type=int, default=2, help="non-matching articles per wave")
    alerts.add_argument("--lease", type=float, default=2.0,
                        help="seconds before an abandoned batch is sent again (app default: 120)")
    alerts.add_argument("--seed", type=int, default=1)
    alerts.add_argument("--database-url",
                        help="a PostgreSQL URL (the database is dropped and created)")
    alerts.add_argument("--report", type=Path, help="write the JSON report here")
    alerts.add_argument("--workdir", type=Path, help="keep data and logs here (default: temp)")
    alerts.add_argument("--timeout", type=float, default=600, help="seconds for the final drain")
    args = parser.parse_args(argv)
    if args.drill == "alerts-kill":
        return alerts_main(args)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=f"chipwatch-drill-{args.drill}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    stack = None
    try:
        stack = Stack(args, workdir)
        result = run_kill(args, stack) if args.drill == "kill" else run_outage(args, stack)
        checks, numbers = verify(stack.settings, stack.reference, stack.meili)
        unexpected = result.get("unexpected_exits", {"worker": result.get("worker_unexpected_exits", [])})
        checks.append({"check": "no child died on its own", "passed": not any(unexpected.values()),
                       "detail": json.dumps(unexpected)})
    finally:
        if stack:
            stack.close()
    ref = stack.reference
    passed = all(c["passed"] for c in checks)
    params = {k: v for k, v in vars(args).items() if k not in ("report", "workdir")}
    params["database"] = "postgresql" if args.database_url else "sqlite"
    params.pop("database_url", None)
    report = {"benchmark": f"drill-{args.drill}", "machine": machine(), "params": params,
              "reference": {"articles": ref["rows"], "near_duplicates": len(ref["copies"]),
                            "clean_ingest_seconds": ref["seconds"], "report": ref["report"]},
              "result": {**result, **numbers}, "checks": checks, "passed": passed}
    print_table(report)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if passed and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    elif not passed:
        print(f"logs and data kept in {workdir}")
    return 0 if passed else 1


def alerts_main(args) -> int:
    from bench.drill_alerts import print_report, run_alerts_kill

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="chipwatch-drill-alerts-"))
    workdir.mkdir(parents=True, exist_ok=True)
    report = run_alerts_kill(args, workdir)
    print_report(report)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if report["passed"] and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    elif not report["passed"]:
        print(f"logs and data kept in {workdir}")
    return 0 if report["passed"] else 1


def print_table(report: dict) -> None:
    r, p = report["result"], report["params"]
    print(f"{report['benchmark']}: {p['count']} articles, {p['database']}, "
          f"{report['machine']['cpus']} cores ({NOTE})")
    ref = report["reference"]
    print(f"  clean ingest        {ref['articles']} articles ({ref['near_duplicates']} near-duplicates) "
          f"in {ref['clean_ingest_seconds']} s")
    if "kills" in r:
        k = r["kills"]
        print(f"  SIGKILLs            {k['total']} (ingest {k['ingest']}, worker {k['worker']}); "
              f"runs: ingest {r['runs']['ingest']}, worker {r['runs']['worker']}")
    else:
        o, c = r["outage"], r["catch_up"]
        print(f"  outage              Meilisearch {o['mode']} for {o['seconds']} s at t={o['started_at_seconds']} s;"
              f" outbox {o['outbox_at_start']} -> {o['outbox_at_end']} rows")
        print(f"  catch-up            {c['seconds']} s for {c['backlog_rows']} rows "
              f"({c['rows_per_second']} rows/s), on its own")
    f = r["final_ingest_run"]
    print(f"  last ingest run     added {f['added']}, duplicates {f['duplicates']}, rejected {f['rejected']}; "
          f"ingest done at {r['ingest_done_seconds']} s, all indexed at {r['all_indexed_seconds']} s")
    print(f"  stored / indexed    {r['stored_articles']} / {r['meili_documents']} "
          f"(near-duplicates {r['near_duplicates']}, stray indexes {len(r['stray_meili_indexes'])})")
    width = max(len(c["check"]) for c in report["checks"])
    for c in report["checks"]:
        print(f"  {'PASS' if c['passed'] else 'FAIL'}  {c['check']:<{width}}  {c['detail']}")
    print("PASSED" if report["passed"] else "FAILED")


if __name__ == "__main__":
    sys.exit(main())
