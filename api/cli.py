"""The ``gongkai`` command: ingest reports, migrate the database, serve the API."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import orjson


def _engine():  # type: ignore[no-untyped-def]
    from db.engine import get_engine, upgrade
    from db.loader import ensure_dictionary

    engine = get_engine()
    upgrade(engine)
    ensure_dictionary(engine)
    return engine


def cmd_ingest(args: argparse.Namespace) -> int:
    from db.bundled import ingest_document
    from ingest.pipeline import ExtractionError
    from ingest.sources import SourceError, fetch_url, read_path

    target: str = args.path
    try:
        if target.startswith(("http://", "https://")):
            allow = os.environ.get("GONGKAI_ALLOW_PRIVATE_FETCH") == "1"
            doc = fetch_url(target, allow_private=allow)
            source_path = None
        else:
            doc = read_path(Path(target))
            source_path = str(target)
        result = ingest_document(_engine(), doc, publisher=args.publisher, year=args.year, source_path=source_path)
    except (SourceError, ExtractionError) as exc:
        print(f"gongkai: cannot ingest {target}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(orjson.dumps(result.as_json()).decode() + "\n")
    else:
        checks = ", ".join(f"{k} {v}" for k, v in sorted(result.checks.items())) or "none"
        print(f"{result.status} report {result.report_id}: {result.observations} observations, "
              f"{result.statements} statements, checks: {checks}")
    return 0


def cmd_db_crossyear(_: argparse.Namespace) -> int:
    """Recompute cross-year checks and statement verifications for every publisher."""
    from db.crossyear import backfill

    n = backfill(_engine())
    print(f"recomputed cross-year checks for {n} publishers")
    return 0


def cmd_db_upgrade(_: argparse.Namespace) -> int:
    _engine()
    print("database is at the latest schema")
    return 0


def load_bundled_if_empty() -> int:
    """Create/migrate the database and load the bundled reports when it has none."""
    from sqlalchemy import text

    from db.bundled import load_bundled

    engine = _engine()
    with engine.connect() as conn:
        count = conn.execute(text("SELECT COUNT(*) FROM report")).scalar_one()
    if count:
        return 0
    results = load_bundled(engine)
    return len(results)


def cmd_load(_: argparse.Namespace) -> int:
    from db.bundled import load_bundled

    for r in load_bundled(_engine()):
        print(f"{r.status} {r.report_id}: {r.observations} observations")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    loaded = load_bundled_if_empty()
    if loaded:
        print(f"loaded {loaded} bundled reports", file=sys.stderr)
    uvicorn.run("api.app:app", host=args.host, port=args.port, workers=args.workers, log_level="info")
    return 0


def _year_range(value: str) -> tuple[int, int]:
    lo, sep, hi = value.partition(":")
    try:
        years = (int(lo), int(hi) if sep else int(lo))
    except ValueError:
        raise argparse.ArgumentTypeError(f"years: write FIRST:LAST, e.g. 2016:2025 (got {value!r})") from None
    if years[0] > years[1] or not 1990 <= years[0] <= 2100 or not 1990 <= years[1] <= 2100:
        raise argparse.ArgumentTypeError(f"years: FIRST:LAST with 1990 <= FIRST <= LAST <= 2100 (got {value!r})")
    return years


def cmd_synth(args: argparse.Namespace) -> int:
    """Load a synthetic dataset (replacing earlier synthetic data) for scale tests and benchmarks."""
    from db.engine import get_engine, upgrade
    from db.loader import ensure_dictionary
    from db.synth import synthesize

    if args.publishers < 1:
        print("gongkai: --publishers must be at least 1", file=sys.stderr)
        return 2
    engine = get_engine(args.database_url)
    upgrade(engine)
    ensure_dictionary(engine)
    result = synthesize(engine, args.publishers, args.years, seed=args.seed,
                        progress=None if args.quiet else sys.stderr, workers=args.workers)
    sys.stdout.write(orjson.dumps(result.as_json()).decode() + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongkai", description="Open data from Chinese government "
                                     "information-disclosure annual reports.")
    sub = parser.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", help="extract a report (file or URL) into the database")
    ing.add_argument("path", help="a .txt/.html/.pdf file or an http(s) URL")
    ing.add_argument("--publisher", help="publisher name (inferred from the title when omitted)")
    ing.add_argument("--year", type=int, help="report year (inferred from the title when omitted)")
    ing.add_argument("--json", action="store_true", help="print the result as JSON")
    ing.set_defaults(func=cmd_ingest)
    db = sub.add_parser("db", help="database administration")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    up = dbsub.add_parser("upgrade", help="apply migrations")
    up.set_defaults(func=cmd_db_upgrade)
    cy = dbsub.add_parser("crossyear", help="recompute cross-year checks and statement verifications")
    cy.set_defaults(func=cmd_db_crossyear)
    load = sub.add_parser("load-bundled", help="(re)ingest the reports bundled in data/reports")
    load.set_defaults(func=cmd_load)
    syn = sub.add_parser("synth", help="load a realistic synthetic dataset (replaces earlier synthetic data)")
    syn.add_argument("--publishers", type=int, default=3000, help="number of publishers (default 3000)")
    syn.add_argument("--years", type=_year_range, default=(2016, 2025), metavar="FIRST:LAST",
                     help="report years (default 2016:2025; years before 2019 are narrative reports)")
    syn.add_argument("--seed", type=int, default=0, help="random seed (same seed, same dataset)")
    syn.add_argument("--database-url", help="database URL (default: GONGKAI_DATABASE_URL or var/gongkai.sqlite3)")
    syn.add_argument("--workers", type=int, default=1,
                     help="processes generating reports (default 1; more pays only on an idle machine)")
    syn.add_argument("--quiet", action="store_true", help="no progress bar")
    syn.set_defaults(func=cmd_synth)
    serve = sub.add_parser("serve", help="migrate, load bundled reports if empty, and serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
