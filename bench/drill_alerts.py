"""The alert-delivery kill drill (`python -m bench.drills alerts-kill`): SIGKILL `chipwatch
worker` while it delivers webhook alerts, again and again, and check that every article reached
every subscription it matches exactly once, as a receiver that de-duplicates sees it.

A real loopback HTTP receiver records every POST (path = subscription, the Idempotency-Key, each
article's delivery_id). Users, saved views (company=nvidia, company=huawei) and immediate webhook
subscriptions are made first; then, in waves, articles are ingested (matching ones and controls
that match no view) while the worker runs as a child process. Each kill waits for a condition,
never a fixed time, aims at a new delivery (a POST with an article the receiver has not had yet;
a batch sent again goes through) and rotates through three moments:

- in-flight: the receiver has such a POST and holds its answer; the worker is SIGKILLed then. The
  articles were received but cannot have been recorded as sent: they are sent again after the
  restart (raw duplicates the receiver must drop, by Idempotency-Key or delivery_id);
- answered: SIGKILL as soon as the receiver has answered such a POST (between the answer and the
  commit that marks the rows sent, or just after it);
- mid-round: SIGKILL once such a POST arrived since the previous kill (other subscriptions' sends,
  matching or committing are under way).

The worker is restarted at once (the lease on claimed rows is shortened to --lease seconds, so
abandoned batches are sent again soon). After the last kill and wave, the worker drains the
outbox and is stopped. Checks: every expected (subscription, article) pair received (none lost);
nothing else received (no control article, nothing from before the subscription); after
de-duplication by delivery_id each pair counted once and every copy of a pair carries the same
delivery_id; the outbox holds exactly the expected pairs, all sent; the worker never died on its
own. Raw duplicates (articles received more than once, POSTs repeated with the same key) are
reported as they are: at-least-once delivery over a crash between send and record cannot avoid
them without the receiver's help; a batch sent again is the same batch (same Idempotency-Key),
so a receiver that de-duplicates by that key, or by delivery_id, sees each article once.
"""

import json
import random
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from app.config import Settings
from bench.search import free_port

VIEWS = {"nvidia": "company=nvidia", "huawei": "company=huawei"}
MODES = ("in-flight", "answered", "mid-round")
WAIT = 120.0  # seconds any one condition may take before the drill gives up
SUBJECTS = {
    "nvidia": [
        "Nvidia said its H20 sales to China need a licence",
        "Nvidia shares moved after the export rule on data-center GPUs",
    ],
    "huawei": [
        "Huawei began shipping Ascend accelerators to cloud customers",
        "Huawei expanded its chip design team in Shenzhen",
    ],
    "control": [
        "The central bank left interest rates unchanged this quarter",
        "Farmers expect a larger wheat harvest after a wet spring",
    ],
}
WORDS = (
    "analysts",
    "report",
    "quarter",
    "market",
    "customers",
    "suppliers",
    "regulators",
    "factory",
    "orders",
    "forecast",
    "meeting",
    "ministry",
    "investors",
    "shipments",
    "capacity",
    "revenue",
    "contracts",
    "officials",
    "partners",
    "pricing",
)


# --- the receiver ---------------------------------------------------------------------------


class Receiver:
    """A loopback webhook receiver that records every POST and can hold or flag one for a kill."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.seen: set[tuple[str, int]] = set()  # (path, article id) received so far
        self.fresh_posts = 0  # POSTs with at least one article not received before
        self.lock = threading.Lock()
        self.armed: str | None = None  # "in-flight" | "answered" | None
        self.hit = threading.Event()  # the armed moment happened
        self.release = threading.Event()  # lets a held answer go
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                with receiver.lock:
                    pairs = {(self.path, a["id"]) for a in body["articles"]}
                    receiver.posts.append(
                        {
                            "t": time.monotonic(),
                            "path": self.path,
                            "key": self.headers.get("idempotency-key"),
                            "articles": [(a["id"], a.get("delivery_id")) for a in body["articles"]],
                        }
                    )
                    # Kills aim at new deliveries: a batch sent again goes through, so each
                    # kill interrupts another batch rather than the same one over and over.
                    fresh = not pairs <= receiver.seen
                    receiver.seen |= pairs
                    receiver.fresh_posts += fresh
                    mode = receiver.armed if fresh else None
                    if mode is not None:
                        receiver.armed = None
                if mode == "in-flight":
                    receiver.hit.set()
                    receiver.release.wait(WAIT)  # the worker is killed while it waits
                try:
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(b"ok")
                    self.wfile.flush()
                except OSError:
                    pass  # the sender is gone (killed in-flight)
                if mode == "answered":
                    receiver.hit.set()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self) -> int:
        with self.lock:
            return len(self.posts)

    def fresh(self) -> int:
        with self.lock:
            return self.fresh_posts

    def arm(self, mode: str) -> None:
        self.hit.clear()
        self.release.clear()
        with self.lock:
            self.armed = mode

    def disarm(self) -> None:
        with self.lock:
            self.armed = None
        self.release.set()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def wait_for(predicate, what: str, timeout: float = WAIT) -> None:
    """Polls a condition (a child process and a database give no notifications)."""
    deadline, tick = time.monotonic() + timeout, threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"alerts drill: {what} not reached within {timeout:.0f} s")
        tick.wait(0.02)


# --- articles -------------------------------------------------------------------------------


def wave_lines(rng: random.Random, wave: int, per_wave: int, controls: int) -> list[dict]:
    """Distinct articles (no near-duplicates): per_wave matching, split between the views, and
    controls that match no view."""
    subjects = [("nvidia" if i % 2 == 0 else "huawei") for i in range(per_wave)] + [
        "control"
    ] * controls
    out = []
    for i, subject in enumerate(subjects):
        words = " ".join(rng.choice(WORDS) for _ in range(40))
        lead = rng.choice(SUBJECTS[subject])
        out.append(
            {
                "title": f"{lead} (wave {wave}, item {i})",
                "lang": "en",
                "url": f"https://drill.example/{wave}/{i}",
                "published_at": f"2025-{1 + wave % 12:02d}-{1 + i % 28:02d}",
                "body": f"{lead}. Wave {wave} item {i} {rng.random():.12f}: {words}.",
            }
        )
    return out


def ingest_wave(runtime, lines: list[dict], workdir: Path, wave: int) -> list[int]:
    from app.cli import run_ingest

    path = workdir / f"wave-{wave}.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = run_ingest(runtime, [str(path)], "drill", None)
    if report.rejected:
        raise RuntimeError(f"wave {wave}: rejected {report.rejected}")
    return list(report.article_ids)


# --- setup and truth ------------------------------------------------------------------------


def make_subscriptions(runtime, receiver: Receiver, per_view: int) -> dict[int, str]:
    """Users, one team view per company, per_view webhook subscriptions on each; returns
    subscription id -> the receiver path it posts to."""
    from app.accounts import service as accounts
    from app.accounts import views as saved
    from app.accounts.principal import Principal
    from app.alerts.service import subscribe

    paths = {}
    with runtime.sessions.begin() as session:
        editor = accounts.add_user(
            session, "drill-editor", "editor", "correct horse battery staple"
        )
        owner = Principal("user", editor.id, editor.name, "editor")
        for name, query in VIEWS.items():
            view = saved.create(session, owner, f"drill {name}", query, "team")
            for n in range(per_view):
                user = accounts.add_user(
                    session, f"drill-{name}-{n}", "reader", "correct horse battery staple"
                )
                path = f"/hook/{name}/{n}"
                sub = subscribe(session, view, user.id, webhook=receiver.url + path)
                paths[sub.id] = path
    return paths


def expected_pairs(runtime, paths: dict[int, str]) -> set[tuple[str, int]]:
    """(receiver path, article id) for every subscription and every stored article tagged with
    its view's company (not a near-duplicate), above the subscription's floor: from the tags,
    not from the alert code."""
    from sqlalchemy import select

    from app.alerts.models import AlertSubscription
    from app.models import Article, ArticleEntity, SavedView

    out = set()
    with runtime.sessions() as session:
        for sub_id, path in paths.items():
            sub = session.get(AlertSubscription, sub_id)
            company = session.get(SavedView, sub.view_id).query.split("=", 1)[1]
            ids = session.scalars(
                select(Article.id)
                .join(ArticleEntity, ArticleEntity.article_id == Article.id)
                .where(
                    ArticleEntity.entity_id == company,
                    Article.duplicate_of.is_(None),
                    Article.id > sub.floor,
                )
            )
            out |= {(path, article_id) for article_id in ids}
    return out


def outbox(runtime) -> dict[str, int]:
    from sqlalchemy import func, select

    from app.alerts.models import AlertDelivery

    with runtime.sessions() as session:
        return dict(
            session.execute(
                select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)
            ).all()
        )


# --- the drill ------------------------------------------------------------------------------


def run_alerts_kill(args, workdir: Path) -> dict:
    from app.migrate import upgrade
    from app.runtime import build_runtime
    from bench.drills import Child, child_env, fresh_pg_database, machine

    rng = random.Random(args.seed)
    database_url = args.database_url
    if database_url:
        fresh_pg_database(database_url)
    settings = Settings(
        data_dir=workdir / "data",
        database_url=database_url,
        meili_url=None,
        allow_private_urls=True,
        base_url="https://chipwatch.example",
        alert_lease_seconds=args.lease,
    )
    upgrade(settings)
    runtime = build_runtime(settings)
    receiver = Receiver()
    env = {
        **child_env(settings),
        "CHIPWATCH_ALLOW_PRIVATE_URLS": "1",
        "CHIPWATCH_BASE_URL": "https://chipwatch.example",
        "CHIPWATCH_ALERT_LEASE_SECONDS": str(args.lease),
    }
    worker = Child("worker", ["worker"], env, workdir)
    events: list[dict] = []
    t0 = time.monotonic()
    ingested: list[int] = []
    try:
        paths = make_subscriptions(runtime, receiver, args.subscriptions)
        worker.start()

        def event(what: str, **extra) -> None:
            events.append(
                {
                    "t": round(time.monotonic() - t0, 2),
                    "event": what,
                    "posts": receiver.count(),
                    **extra,
                }
            )

        def keep_worker_running() -> None:
            if not worker.alive:
                worker.exits.append(worker.process.returncode)
                event(f"worker exited {worker.process.returncode} on its own")
                worker.start()

        wave = 0
        while worker.kills < args.kills:
            mode = MODES[worker.kills % len(MODES)]
            before = receiver.fresh()
            if mode != "mid-round":
                receiver.arm(mode)
            ingested += ingest_wave(
                runtime, wave_lines(rng, wave, args.per_wave, args.controls), workdir, wave
            )
            wave += 1
            if mode == "mid-round":
                wait_for(
                    lambda before=before: (keep_worker_running(), receiver.fresh() > before)[1],
                    "a new delivery",
                )
            else:
                wait_for(
                    lambda: (keep_worker_running(), receiver.hit.is_set())[1], f"the {mode} moment"
                )
            killed = worker.kill()
            receiver.disarm()
            event(
                f"SIGKILL worker ({mode})" if killed else f"worker already gone at {mode}",
                mode=mode,
            )
            worker.start()
        # The last wave: nobody kills the worker now; it must deliver what is left on its own.
        ingested += ingest_wave(
            runtime, wave_lines(rng, wave, args.per_wave, args.controls), workdir, wave
        )
        expected = expected_pairs(runtime, paths)

        def received_pairs() -> set[tuple[str, int]]:
            with receiver.lock:
                return {
                    (p["path"], article_id)
                    for p in receiver.posts
                    for article_id, _ in p["articles"]
                }

        wait_for(
            lambda: (
                keep_worker_running(),
                received_pairs() >= expected and outbox(runtime).get("pending", 0) == 0,
            )[1],
            "every expected article delivered",
            timeout=args.timeout,
        )
        done_at = time.monotonic() - t0
        worker.terminate()
        event("worker stopped (SIGTERM)")
        state = outbox(runtime)
    finally:
        worker.kill()
        receiver.close()
        runtime.close()

    copies: Counter[tuple[str, int]] = Counter()
    delivery_ids: dict[tuple[str, int], set[str | None]] = defaultdict(set)
    for post in receiver.posts:
        for article_id, delivery_id in post["articles"]:
            copies[(post["path"], article_id)] += 1
            delivery_ids[(post["path"], article_id)].add(delivery_id)
    received = set(copies)
    # What a receiver keeping the delivery_ids it has seen would act on: one per distinct id.
    distinct_ids = {i for ids in delivery_ids.values() for i in ids}
    raw_duplicates = sum(n - 1 for n in copies.values())
    key_copies = Counter((p["path"], p["key"]) for p in receiver.posts)
    keys_repeated = sum(n - 1 for n in key_copies.values())
    lost, extra = expected - received, received - expected
    one_id = all(len(ids) == 1 and None not in ids for ids in delivery_ids.values())
    # A receiver that drops a POST whose Idempotency-Key it has seen: what it acts on.
    seen_keys: set[tuple[str, str | None]] = set()
    by_key: Counter[tuple[str, int]] = Counter()
    for post in receiver.posts:
        if (post["path"], post["key"]) in seen_keys:
            continue
        seen_keys.add((post["path"], post["key"]))
        by_key.update((post["path"], article_id) for article_id, _ in post["articles"])
    key_twice = sum(n - 1 for n in by_key.values())
    checks = [
        (
            "worker SIGKILLed during deliveries",
            worker.kills == args.kills,
            f"{worker.kills} of {args.kills}",
        ),
        (
            "no article lost (every expected pair received)",
            not lost,
            f"{len(lost)} missing of {len(expected)}",
        ),
        (
            "nothing unexpected received (controls, older articles)",
            not extra,
            f"{len(extra)} extra",
        ),
        (
            "every copy of a pair carries the same delivery_id",
            one_id,
            f"{sum(1 for ids in delivery_ids.values() if len(ids) != 1)} pairs with several ids",
        ),
        (
            "exactly once after de-duplication by delivery_id",
            one_id and received == expected and len(distinct_ids) == len(expected),
            f"{len(distinct_ids)} distinct delivery_ids for {len(expected)} expected pairs",
        ),
        (
            "exactly once after de-duplication by Idempotency-Key (a batch sent again is the same)",
            set(by_key) == expected and key_twice == 0,
            f"{key_twice} article copies under a new key, {len(expected - set(by_key))} missing",
        ),
        (
            "outbox: the expected pairs, all sent",
            state == {"sent": len(expected)},
            json.dumps(state),
        ),
        ("the worker never died on its own", not worker.exits, json.dumps(worker.exits)),
    ]
    result = {
        "kills": worker.kills,
        "worker_runs": worker.runs,
        "kill_modes": dict(Counter(e["mode"] for e in events if "mode" in e)),
        "subscriptions": len(paths),
        "waves": wave + 1,
        "articles_ingested": len(ingested),
        "expected_pairs": len(expected),
        "posts": len(receiver.posts),
        "received_article_copies": sum(copies.values()),
        "distinct_pairs_received": len(received),
        "raw_duplicate_article_copies": raw_duplicates,
        "pairs_received_more_than_once": sum(1 for n in copies.values() if n > 1),
        "posts_repeated_with_the_same_idempotency_key": keys_repeated,
        "article_copies_left_after_idempotency_key_dedup": key_twice,
        "all_delivered_seconds": round(done_at, 1),
        "events": events,
    }
    params = {
        "kills": args.kills,
        "subscriptions_per_view": args.subscriptions,
        "per_wave": args.per_wave,
        "controls_per_wave": args.controls,
        "lease_seconds": args.lease,
        "seed": args.seed,
        "database": "postgresql" if database_url else "sqlite",
    }
    checks_out = [{"check": c, "passed": bool(ok), "detail": d} for c, ok, d in checks]
    return {
        "benchmark": "drill-alerts-kill",
        "machine": machine(),
        "params": params,
        "result": result,
        "checks": checks_out,
        "passed": all(c["passed"] for c in checks_out),
    }


def print_report(report: dict) -> None:
    r, p = report["result"], report["params"]
    print(
        f"{report['benchmark']}: {r['kills']} SIGKILLs of the worker during deliveries, "
        f"{p['database']}, {r['subscriptions']} webhook subscriptions, "
        f"{r['articles_ingested']} articles in {r['waves']} waves"
    )
    print(
        f"  expected pairs      {r['expected_pairs']}; received {r['distinct_pairs_received']} "
        f"distinct in {r['posts']} POSTs ({r['received_article_copies']} article copies)"
    )
    repeated = r["posts_repeated_with_the_same_idempotency_key"]
    print(
        f"  raw duplicates      {r['raw_duplicate_article_copies']} article copies "
        f"({r['pairs_received_more_than_once']} pairs), {repeated} POSTs repeated with the same "
        "Idempotency-Key; a receiver drops them by either"
    )
    width = max(len(c["check"]) for c in report["checks"])
    for c in report["checks"]:
        print(f"  {'PASS' if c['passed'] else 'FAIL'}  {c['check']:<{width}}  {c['detail']}")
    print("PASSED" if report["passed"] else "FAILED")
