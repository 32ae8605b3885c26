"""API speed at national scale, every figure a ratio measured side by side in one run.

Absolute times on a shared 2-core machine are noise; ratios between servers
measured in the same minute on the same file are not.  The script

1. makes (or reuses) a synthetic dataset with ``db.synth`` — by default 3,000
   publishers × 2016–2025 on SQLite under ``var/bench/`` (and on PostgreSQL
   with ``--postgres URL``) — recording the bulk-load time;
2. starts three real servers on 127.0.0.1, each one process: gongkai
   (``uvicorn api.app:app --workers 1``), Datasette on the same SQLite file
   (``datasette==0.65.5``, from the dev extras) and a bare Starlette +
   sqlite3 + orjson endpoint defined below (``bare_app``, the practical
   ceiling);
3. drives them with ``wrk`` (Debian package: ``apt-get install -y wrk``;
   when it is missing, a small asyncio + httpx closed-loop generator below
   does the same job), every run bounded in time, loopback only;
4. prints each figure next to its target from the issue, and writes the
   numbers to ``var/bench/api-<backend>-<size>.json``.

Run: ``.venv/bin/python -m bench.api`` (default size, about 5–9 minutes with a
fresh dataset, 3–4 with an existing one) or ``--publishers 50 --years 2022:2024
--duration 3`` for a quick look.  Nothing here asserts; the test suite checks
the generator's correctness, this script only measures.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
BUDGET_SECONDS = 570  # the whole run stays under 10 minutes on the 2-core machines
METRICS = ("applications.received", "applications.outcome.granted", "review.total")
TOTAL_DIMS = {"applications.received": "applicant=total;channel=total", "applications.outcome.granted":
              "applicant=total", "review.total": ""}


# --------------------------------------------------------------------------- the bare endpoint

BARE_SQL = (
    "SELECT o.*, s.title AS section_title FROM observation o LEFT JOIN section s ON s.id = o.section_id "
    "WHERE o.metric = ? AND o.year = ? AND o.dims_key = ? ORDER BY o.publisher_id, o.id LIMIT ?"
)


def bare_app() -> Any:
    """The ceiling: one SQL statement through sqlite3, rows as dicts, orjson, no framework beyond Starlette.

    Run by the benchmark as ``uvicorn --factory bench.api:bare_app`` with
    ``BENCH_SQLITE`` naming the database file.  The query uses the
    (metric, year, dims_key) index the way an index-aware API would.
    """
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    conn = sqlite3.connect(f"file:{os.environ['BENCH_SQLITE']}?mode=ro", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row

    async def observations(request: Request) -> Response:
        q = request.query_params
        rows = conn.execute(BARE_SQL, (q["metric"], int(q["year"]), q.get("dims_key", ""),
                                       int(q.get("limit", "100")))).fetchall()
        return Response(orjson.dumps({"data": [dict(r) for r in rows]}), media_type="application/json")

    async def health(_: Request) -> Response:
        return Response(b"ok")

    return Starlette(routes=[Route("/observations", observations), Route("/health", health)])


# --------------------------------------------------------------------------- results


@dataclass
class Figure:
    """One line of the printed table."""

    name: str
    measured: str
    ratio: float | None
    target: str
    ok: bool | None
    note: str = ""


@dataclass
class Run:
    args: argparse.Namespace
    started: float = field(default_factory=time.perf_counter)
    figures: list[Figure] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def left(self) -> float:
        return BUDGET_SECONDS - (time.perf_counter() - self.started)

    def add(self, fig: Figure) -> None:
        self.figures.append(fig)
        mark = {True: "ok", False: "MISS", None: "-"}[fig.ok]
        ratio = f"{fig.ratio:.2f}" if fig.ratio is not None else "-"
        print(f"  {fig.name:<52} {fig.measured:<34} {ratio:>7}  {fig.target:<22} {mark}"
              + (f"  ({fig.note})" if fig.note else ""), flush=True)


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the dataset


def pg_schema(a: argparse.Namespace) -> str:
    return f"bench_synth_{a.publishers}_{a.years[0]}_{a.years[1]}_s{a.seed}"


def dataset(run: Run) -> tuple[Path, str | None]:
    """The SQLite file (and PostgreSQL URL) with the synthetic dataset, built when missing or different."""
    from sqlalchemy import text

    from db.engine import make_engine, upgrade
    from db.loader import ensure_dictionary
    from db.synth import SYNTH_VERSION, synth_info, synthesize

    a = run.args
    want = {"version": SYNTH_VERSION, "publishers": a.publishers, "years": [a.years[0], a.years[1]], "seed": a.seed}
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"synth-{a.publishers}x{a.years[0]}-{a.years[1]}-s{a.seed}.sqlite3"

    def current(url: str) -> dict[str, Any] | None:
        """The recorded dataset when it is the one asked for (and ``--rebuild`` was not given)."""
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                info = synth_info(conn)
        except Exception:  # no such database or tables yet
            return None
        finally:
            engine.dispose()
        return info if not a.rebuild and info and {k: info.get(k) for k in want} == want else None

    def build(url: str, label: str) -> None:
        engine = make_engine(url)
        try:
            upgrade(engine)
            ensure_dictionary(engine)
            log(f"{label}: building {a.publishers} publishers × {a.years[0]}–{a.years[1]}")
            result = synthesize(engine, a.publishers, a.years, seed=a.seed, progress=sys.stderr)
            run.raw[f"load_{label}"] = {**result.as_json(), "reused": False}
        finally:
            engine.dispose()

    def reuse(info: dict[str, Any], label: str) -> None:
        log(f"{label}: reusing the dataset ({info['observations']:,} observations, loaded in "
            f"{info['seconds']:.0f}s when built)")
        run.raw[f"load_{label}"] = {**info, "reused": True}

    # a dataset of another size or generator version is thrown away, not replaced row by row
    # (deleting millions of rows under their indexes is far slower than loading them anew)
    info = current(f"sqlite:///{path}") if path.exists() else None
    if info is not None:
        reuse(info, "sqlite")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        build(f"sqlite:///{path}", "sqlite")
    pg_url = None
    if a.postgres:
        schema = pg_schema(a)
        from sqlalchemy import create_engine

        sep = "&" if "?" in a.postgres else "?"
        pg_url = f"{a.postgres}{sep}options=-csearch_path%3D{schema}"
        info = current(pg_url)
        if info is not None:
            reuse(info, "postgresql")
        else:
            admin = create_engine(a.postgres)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
            build(pg_url, "postgresql")
    return path, pg_url


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    base: str
    proc: subprocess.Popen[bytes]

    def rss_mb(self) -> float:
        """Resident memory of the server process and its children (uvicorn workers), in MB."""
        total = 0
        for pid in [self.proc.pid, *_children(self.proc.pid)]:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                continue
        return total / 1024


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for k in kids:
        out.append(int(k))
        out.extend(_children(int(k)))
    return out


@contextmanager
def serve(name: str, argv: Sequence[str], env: dict[str, str], ready_path: str, port: int) -> Iterator[Server]:
    """Start a server process on 127.0.0.1:port, wait until it answers, stop it (and only it) afterwards."""
    log_file = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)
    proc = subprocess.Popen(list(argv), env={**os.environ, **env}, cwd=ROOT, stdout=log_file, stderr=log_file,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.perf_counter() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited: see {log_file.name}")
            try:
                if httpx.get(base + ready_path, timeout=5).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{name} did not start within 90 s: see {log_file.name}")
            time.sleep(0.3)
        yield Server(name, base, proc)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # its own session: the server and its workers only
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log_file.close()


def uvicorn_argv(app: str, port: int, workers: int, factory: bool = False) -> list[str]:
    argv = [str(VENV_BIN / "python"), "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    return [*argv, "--factory"] if factory else argv


# --------------------------------------------------------------------------- load generation


@dataclass
class Req:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


@dataclass
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    tool: str


def _lua_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _lua(requests: Sequence[Req], unique_body: bool) -> str:
    """A wrk script that cycles through ``requests`` (or numbers each body, so no two are identical)."""
    lines = ["local reqs = {}"]
    for i, r in enumerate(requests, 1):
        headers = "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in r.headers.items()) + "}"
        body = _lua_string(r.body) if r.body is not None else "nil"
        lines.append(f"reqs[{i}] = {{{_lua_string(r.method)}, {_lua_string(r.path)}, {headers}, {body}}}")
    lines += ["local i = 0", "local n = 0", "request = function()", "  i = i % #reqs + 1", "  local r = reqs[i]"]
    if unique_body:
        lines += ["  n = n + 1", "  return wrk.format(r[1], r[2], r[3], string.format(r[4], n))"]
    else:
        lines += ["  return wrk.format(r[1], r[2], r[3], r[4])"]
    lines.append("end")
    return "\n".join(lines) + "\n"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(token: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", token)
    return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")


def wrk(base: str, requests: Sequence[Req], seconds: float, connections: int,
        unique_body: bool = False) -> LoadResult:
    """``wrk`` against a server, one thread (the other core serves), ``connections`` open connections."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_lua(requests, unique_body))
        script = f.name
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
                              "--timeout", "10s", "-s", script, base], capture_output=True, text=True,
                             timeout=seconds + 60).stdout
    finally:
        os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    # the "Latency Distribution" lines only ("93.50%" in the stats table above them also ends in "50%")
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)
    return LoadResult(rps, _ms(p50.group(1)) if p50 else float("nan"), _ms(p99.group(1)) if p99 else float("nan"),
                      total, errors, "wrk")


def closed_loop(base: str, requests: Sequence[Req], seconds: float, connections: int,
                unique_body: bool = False) -> LoadResult:
    """The fallback generator: ``connections`` asyncio workers on httpx, each sending its next request as soon
    as the last one is answered, for ``seconds``.  Slower than wrk (Python on the same cores), so its
    req/s are lower bounds; ratios between servers stay comparable."""

    async def main() -> LoadResult:
        latencies: list[float] = []
        errors = 0
        counter = 0
        stop = time.perf_counter() + seconds
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:

            async def worker(k: int) -> None:
                nonlocal errors, counter
                i = k
                while time.perf_counter() < stop:
                    r = requests[i % len(requests)]
                    i += 1
                    counter += 1
                    body = (r.body % counter if unique_body and r.body else r.body)
                    t = time.perf_counter()
                    try:
                        resp = await client.request(r.method, r.path, headers=r.headers, content=body)
                        if resp.status_code >= 400:
                            errors += 1
                    except httpx.HTTPError:
                        errors += 1
                    latencies.append((time.perf_counter() - t) * 1000)

            started = time.perf_counter()
            await asyncio.gather(*(worker(k) for k in range(connections)))
            elapsed = time.perf_counter() - started
        latencies.sort()
        n = len(latencies)
        return LoadResult(n / elapsed, latencies[n // 2] if n else float("nan"),
                          latencies[min(n - 1, int(n * 0.99))] if n else float("nan"), n, errors, "httpx")

    return asyncio.run(main())


def load(run: Run, base: str, requests: Sequence[Req], unique_body: bool = False) -> LoadResult:
    """A short warm-up, then the measured run (the best of ``--repeat`` runs)."""
    a = run.args
    gen = wrk if shutil.which("wrk") and not a.no_wrk else closed_loop
    gen(base, requests, 1.5, a.connections, unique_body)
    best: LoadResult | None = None
    for _ in range(a.repeat):
        r = gen(base, requests, a.duration, a.connections, unique_body)
        if best is None or r.rps > best.rps:
            best = r
    assert best is not None
    return best


def sequential_ms(fn: Callable[[], Any], n: int, max_seconds: float) -> float:
    """Median wall time of ``fn`` over up to ``n`` calls (stops early after ``max_seconds``)."""
    times: list[float] = []
    stop = time.perf_counter() + max_seconds
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
        if time.perf_counter() > stop and len(times) >= 3:
            break
    return statistics.median(times)


# --------------------------------------------------------------------------- the figures


def standard_years(a: argparse.Namespace) -> list[int]:
    return [y for y in range(max(a.years[0], 2019), a.years[1] + 1)] or [a.years[1]]


def rest_requests(a: argparse.Namespace, fresh: bool = False) -> list[Req]:
    """The REST list requests; ``fresh`` asks for a computed answer (``Cache-Control: no-cache``), so the
    response cache cannot answer and every request runs its query."""
    headers = {"Cache-Control": "no-cache"} if fresh else {}
    return [Req("GET", f"/api/v1/observations?metric={m}&year={y}&limit=100", dict(headers))
            for y in standard_years(a) for m in METRICS]


def datasette_requests(a: argparse.Namespace, db: str, sort: bool = True) -> list[Req]:
    """Datasette's table view with the same filters; sorted like gongkai's list (same rows), or in its
    default rowid order (the setting of the issue's 460 req/s, no sort needed)."""
    out = []
    for y in standard_years(a):
        for m in METRICS:
            params: dict[str, Any] = {"metric": m, "year": y, "dims_key": TOTAL_DIMS[m], "_size": 100,
                                      "_nocount": 1, "_nofacet": 1}
            if sort:
                params["_sort"] = "publisher_id"
            q = urllib.parse.urlencode(params)
            out.append(Req("GET", f"/{db}/observation.json?{q}"))
    return out


def bare_requests(a: argparse.Namespace) -> list[Req]:
    return [Req("GET", "/observations?" + urllib.parse.urlencode({"metric": m, "year": y,
                                                                        "dims_key": TOTAL_DIMS[m]}))
            for y in standard_years(a) for m in METRICS]


GQL_OBSERVATIONS = (
    "query Obs($metric: String!, $year: Int!) { observations(first: 100, filter: {metric: $metric, year: $year}) "
    "{ edges { node { databaseId reportId publisherId year metric dims { name value } value unit qualifier status "
    "candidates label note provenance { section sectionTitle quote start end } } } "
    "pageInfo { endCursor hasNextPage } } }"
)


def gql_post(a: argparse.Namespace, unique: bool) -> list[Req]:
    out = []
    for y in standard_years(a):
        for m in METRICS:
            # a GraphQL comment numbered per request ("#%d", filled in by the load generator): no two
            # request bodies are equal, so nothing cached can answer
            query = GQL_OBSERVATIONS + ("\n#%d" if unique else "")
            body = orjson.dumps({"query": query, "variables": {"metric": m, "year": y}}).decode()
            assert body.count("%") == (1 if unique else 0)
            out.append(Req("POST", "/graphql", {"Content-Type": "application/json"}, body))
    return out


def gql_get(a: argparse.Namespace) -> list[Req]:
    return [Req("GET", "/graphql?" + urllib.parse.urlencode(
        {"query": GQL_OBSERVATIONS, "variables": orjson.dumps({"metric": m, "year": y}).decode()}))
        for y in standard_years(a) for m in METRICS]


def same_rows(gk: Server, ds: Server, bare: Server, db: str, a: argparse.Namespace) -> str:
    """Do the three servers return the same 100 observations (by id, in order) for one query?"""
    m, y = METRICS[0], standard_years(a)[-1]
    ours = [o["id"] for o in httpx.get(f"{gk.base}/api/v1/observations",
                                       params={"metric": m, "year": y, "limit": 100}, timeout=60).json()["data"]]
    theirs = httpx.get(f"{ds.base}/{db}/observation.json", timeout=60, params={
        "metric": m, "year": y, "dims_key": TOTAL_DIMS[m], "_sort": "publisher_id", "_size": 100, "_nocount": 1,
        "_nofacet": 1, "_shape": "objects"}).json()["rows"]
    ceiling = httpx.get(f"{bare.base}/observations", timeout=60,
                        params={"metric": m, "year": y, "dims_key": TOTAL_DIMS[m]}).json()["data"]
    a_ids, b_ids, c_ids = ours, [r["id"] for r in theirs], [r["id"] for r in ceiling]
    if a_ids == b_ids == c_ids and a_ids:
        return f"same {len(a_ids)} rows, same order, from all three servers"
    return f"ROWS DIFFER: gongkai {len(a_ids)}, datasette {len(b_ids)}, bare {len(c_ids)}, " \
           f"overlap {len(set(a_ids) & set(b_ids) & set(c_ids))}"


def throughput(run: Run, gk: Server, ds: Server, bare: Server, db: str) -> dict[str, LoadResult]:
    a = run.args
    res: dict[str, LoadResult] = {}
    plan: list[tuple[str, Server, list[Req], bool]] = [
        ("bare", bare, bare_requests(a), False),
        ("datasette", ds, datasette_requests(a, db), False),
        ("datasette_rowid", ds, datasette_requests(a, db, sort=False), False),
        ("rest", gk, rest_requests(a), False),
        ("rest_computed", gk, rest_requests(a, fresh=True), False),
        ("graphql_first", gk, gql_post(a, unique=True), True),
        ("graphql_repeated", gk, gql_get(a), False),
    ]
    for name, server, reqs, unique in plan:
        r = load(run, server.base, reqs, unique)
        res[name] = r
        log(f"{name}: {r.rps:.0f} req/s, p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, {r.requests} requests, "
            f"{r.errors} errors ({r.tool})")
    # conditional GraphQL GETs: the client revalidates, the server answers 304 without running the query
    etags = []
    for req in gql_get(a):
        # the ETag depends on Accept-Encoding: ask as the load generator will (no gzip)
        resp = httpx.get(gk.base + req.path, headers={"Accept-Encoding": "identity"}, timeout=60)
        etags.append(Req("GET", req.path, {"If-None-Match": resp.headers.get("etag", "")}))
    res["graphql_304"] = load(run, gk.base, etags)
    log(f"graphql_304: {res['graphql_304'].rps:.0f} req/s")
    run.raw["throughput"] = {k: vars(v) for k, v in res.items()}
    return res


def report_page(run: Run, gk: Server, db_path: Path) -> None:
    """A report page (report + sections + observations + checks): first answer vs revalidation (304)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM report WHERE format = 'standard-2021' ORDER BY id LIMIT 40")]
    if not ids:
        return
    parts = ("", "/sections", "/observations", "/checks")
    etags: dict[str, str] = {}
    client = httpx.Client(base_url=gk.base, timeout=60)
    cold: list[float] = []
    for rid in ids[:20]:  # each page requested for the first time
        t = time.perf_counter()
        for p in parts:
            resp = client.get(f"/api/v1/reports/{rid}{p}")
            etags[f"{rid}{p}"] = resp.headers.get("etag", "")
        cold.append((time.perf_counter() - t) * 1000)

    def warm_once(rid: str) -> None:
        for p in parts:
            resp = client.get(f"/api/v1/reports/{rid}{p}", headers={"If-None-Match": etags[f"{rid}{p}"]})
            assert resp.status_code == 304, resp.status_code

    warm = [sequential_ms(_bind(warm_once, rid), 3, 5) for rid in ids[:20]]
    c, w = statistics.median(cold), statistics.median(warm)
    run.add(Figure("report page (4 REST calls): first vs 304", f"{c:.1f} ms vs {w:.1f} ms", c / w,
                   "304 faster (≥ 2×)", c / w >= 2))
    q = ("query R($id: ID!) { report(id: $id) { databaseId title year format sections { databaseId number title "
         "children { databaseId number title children { databaseId number title } } } observations { databaseId "
         "metric dims { name value } value unit provenance { quote start end } } checks { rule result detail } } }")
    cold_g: list[float] = []
    gtags: dict[str, str] = {}
    for rid in ids[20:40]:
        url = "/graphql?" + urllib.parse.urlencode({"query": q, "variables": orjson.dumps({"id": rid}).decode()})
        t = time.perf_counter()
        resp = client.get(url)
        cold_g.append((time.perf_counter() - t) * 1000)
        if resp.status_code != 200 or "errors" in resp.json():
            run.add(Figure("report page (GraphQL): first vs 304", "query failed", None, "", None,
                           resp.text[:120]))
            return
        gtags[url] = resp.headers.get("etag", "")
    def revalidate(url: str) -> None:
        resp = client.get(url, headers={"If-None-Match": gtags[url]})
        assert resp.status_code == 304, resp.status_code

    warm_g = [sequential_ms(_bind(revalidate, u), 3, 5) for u in gtags]
    cg, wg = statistics.median(cold_g), statistics.median(warm_g)
    run.add(Figure("report page (1 GraphQL query): first vs 304", f"{cg:.1f} ms vs {wg:.1f} ms", cg / wg,
                   "304 faster (≥ 2×)", cg / wg >= 2))
    client.close()


def _bind(fn: Callable[[str], None], arg: str) -> Callable[[], None]:
    return lambda: fn(arg)


def deltas_and_rankings(run: Run, gk: Server | None, url: str, label: str) -> None:
    """Deltas of one metric over all publishers for one year, and a ranking: the API vs the raw SQL."""
    try:
        from db import deltas as deltas_module
    except ImportError:
        run.add(Figure(f"deltas, rankings vs raw SQL ({label})", "pending", None, "≤ 2×", None,
                       "db/deltas.py does not exist yet"))
        return
    from sqlalchemy import text

    from db.engine import make_engine

    a = run.args
    metric, year = METRICS[0], standard_years(a)[-1]
    dims = TOTAL_DIMS[metric]
    engine = make_engine(url)
    raw_deltas = text(
        "SELECT c.publisher_id, c.value, b.value AS base_value, c.value - b.value AS change, "
        "CASE WHEN b.value <> 0 THEN (c.value - b.value) * 100.0 / b.value END AS percent_change "
        "FROM observation c LEFT JOIN observation b ON b.publisher_id = c.publisher_id AND b.metric = c.metric "
        "AND b.dims_key = c.dims_key AND b.year = c.year - 1 AND b.report_year = b.year AND b.status = 'reported' "
        "WHERE c.metric = :m AND c.year = :y AND c.dims_key = :d AND c.report_year = c.year "
        "AND c.status = 'reported' ORDER BY c.publisher_id LIMIT 1000")
    raw_rank = text(
        "SELECT publisher_id, value, RANK() OVER (ORDER BY value DESC) AS rank FROM observation "
        "WHERE metric = :m AND year = :y AND dims_key = :d AND report_year = year AND status = 'reported' "
        "AND value IS NOT NULL ORDER BY value DESC, publisher_id LIMIT 20")
    params = {"m": metric, "y": year, "d": dims}
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        n_raw = len(conn.execute(raw_deltas, params).all())
        raw_d = sequential_ms(lambda: conn.execute(raw_deltas, params).all(), 15, 20)
        raw_r = sequential_ms(lambda: conn.execute(raw_rank, params).all(), 15, 20)
        route = None
        if gk is not None:
            probe = httpx.get(f"{gk.base}/api/v1/deltas", params={"metric": metric, "year": year, "limit": 1000},
                              timeout=120)
            route = probe.status_code == 200
        if route and gk is not None:
            # http.client, not httpx: reading a 360 KB body costs httpx's pure-Python parser about 14 ms, which
            # would be the client's time, not the API's (curl and http.client both read it in about 1 ms)
            host, port = gk.base.removeprefix("http://").split(":")
            client = http.client.HTTPConnection(host, int(port), timeout=120)
            fresh = {"Cache-Control": "no-cache"}  # computed each time: the response cache may not answer

            def get(path: str, params: dict[str, Any]) -> None:
                client.request("GET", f"{path}?{urllib.parse.urlencode(params)}", headers=fresh)
                resp = client.getresponse()
                body = resp.read()
                assert resp.status == 200 and resp.getheader("x-cache") != "HIT", body[:200]

            def api_deltas() -> None:
                get("/api/v1/deltas", {"metric": metric, "year": year, "limit": 1000})

            def api_rank() -> None:
                get("/api/v1/rankings", {"metric": metric, "year": year, "limit": 20})

            api_d = sequential_ms(api_deltas, 15, 30)
            api_r = sequential_ms(api_rank, 15, 30)
            client.close()
            how = "REST, HTTP round trip"
        else:
            n_api = len(deltas_module.deltas(conn, metric=metric, year=year, limit=1000).items)
            api_d = sequential_ms(lambda: deltas_module.deltas(conn, metric=metric, year=year, limit=1000), 15, 30)
            api_r = sequential_ms(lambda: deltas_module.rankings(conn, metric=metric, year=year, limit=20), 15, 30)
            how = f"query layer in-process (no REST route yet); {n_api} vs {n_raw} rows"
    engine.dispose()
    out.update(raw_deltas_ms=raw_d, raw_rankings_ms=raw_r, api_deltas_ms=api_d, api_rankings_ms=api_r, how=how)
    run.raw[f"deltas_{label}"] = out
    run.add(Figure(f"deltas, 1 metric × all publishers, 1 year ({label})", f"{api_d:.1f} ms vs SQL {raw_d:.1f} ms",
                   api_d / raw_d, "≤ 2×", api_d / raw_d <= 2, how))
    run.add(Figure(f"rankings, top 20 of all publishers ({label})", f"{api_r:.1f} ms vs SQL {raw_r:.1f} ms",
                   api_r / raw_r, "≤ 2×", api_r / raw_r <= 2, how))


def postgres_rest(run: Run, pg_url: str, sqlite_rest: LoadResult) -> None:
    """The same REST list computed on PostgreSQL, against SQLite's (informational: the issue sets no target)."""
    a = run.args
    port = free_port()
    with serve("gongkai-pg", uvicorn_argv("api.app:app", port, a.workers), {"GONGKAI_DATABASE_URL": pg_url},
               "/readyz", port) as gk:
        r = load(run, gk.base, rest_requests(a, fresh=True))
        run.add(Figure("REST computed list, PostgreSQL vs SQLite", f"{r.rps:.0f} vs {sqlite_rest.rps:.0f} req/s",
                       r.rps / sqlite_rest.rps, "(no target)", None, "every request runs its query"))
        deltas_and_rankings(run, gk, pg_url, "postgresql")
        run.raw["postgres_rest"] = vars(r)


# --------------------------------------------------------------------------- main


def _years(value: str) -> tuple[int, int]:
    lo, _, hi = value.partition(":")
    return int(lo), int(hi or lo)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--publishers", type=int, default=3000)
    p.add_argument("--years", type=_years, default=(2016, 2025), metavar="FIRST:LAST")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--duration", type=float, default=8.0, help="seconds per measured load run (default 8)")
    p.add_argument("--repeat", type=int, default=1, help="measured runs per figure, best kept (default 1)")
    p.add_argument("--connections", type=int, default=8,
                   help="open connections per load run (default 8: at 16 GraphQL stalls, see bench/README.md)")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes for gongkai (default 1)")
    p.add_argument("--postgres", default=os.environ.get("GONGKAI_BENCH_POSTGRES_URL"),
                   help="also load and measure PostgreSQL at this URL (a schema of its own is used)")
    p.add_argument("--rebuild", action="store_true", help="rebuild the dataset even if one of this size exists")
    p.add_argument("--keep-postgres", action="store_true",
                   help="keep the PostgreSQL benchmark schema afterwards (default: dropped, it is large)")
    p.add_argument("--no-wrk", action="store_true", help="use the asyncio+httpx generator even if wrk exists")
    args = p.parse_args(argv)
    run = Run(args)
    db_path, pg_url = dataset(run)
    # a fresh dataset may have used most of the budget: shorter runs rather than skipped figures
    args.duration = min(args.duration, max(2.0, (run.left() - 150) / 10))
    db_name = db_path.stem
    load_info = run.raw["load_sqlite"]
    gen = "wrk" if shutil.which("wrk") and not args.no_wrk else "asyncio+httpx closed loop"
    print(f"\ngongkai API benchmark — {load_info['publishers']} publishers × {args.years[0]}–{args.years[1]}: "
          f"{load_info['reports']:,} reports, {load_info['observations']:,} observations, "
          f"{load_info['checks']:,} checks (SQLite {db_path.stat().st_size / 2**30:.1f} GiB); "
          f"load generator {gen}, {args.connections} connections, {args.duration:.0f} s runs, "
          f"1 process per server\n", flush=True)
    print(f"  {'figure':<52} {'measured':<34} {'ratio':>7}  {'target':<22}", flush=True)
    seconds = float(load_info["seconds"])
    run.add(Figure("bulk load, SQLite (progress bar on stderr)",
                   f"{seconds:.0f} s, {load_info['observations'] / max(seconds, 1e-9):,.0f} obs/s", seconds / 600,
                   "< 600 s (ratio ≤ 1)", seconds < 600, "recorded when the dataset was built"
                   if load_info.get("reused") else "built in this run"))
    if "load_postgresql" in run.raw:
        pg = run.raw["load_postgresql"]
        run.add(Figure("bulk load, PostgreSQL (COPY)", f"{pg['seconds']:.0f} s", float(pg["seconds"]) / 600,
                       "< 600 s (ratio ≤ 1)", float(pg["seconds"]) < 600,
                       "recorded when built" if pg.get("reused") else "built in this run"))
    env = {"GONGKAI_DATABASE_URL": f"sqlite:///{db_path}"}
    ports = [free_port() for _ in range(3)]
    with serve("gongkai", uvicorn_argv("api.app:app", ports[0], args.workers), env, "/readyz", ports[0]) as gk, \
            serve("datasette", [str(VENV_BIN / "datasette"), "serve", str(db_path), "--host", "127.0.0.1", "--port",
                                str(ports[1]), "--setting", "sql_time_limit_ms", "10000"], {},
                  f"/{db_name}.json?_nocount=1", ports[1]) as ds, \
            serve("bare", uvicorn_argv("bench.api:bare_app", ports[2], 1, factory=True),
                  {"BENCH_SQLITE": str(db_path)}, "/health", ports[2]) as bare:
        log(same_rows(gk, ds, bare, db_name, args))
        res = throughput(run, gk, ds, bare, db_name)
        rest, dsr, ceiling = res["rest"], res["datasette"], res["bare"]
        computed = res["rest_computed"]
        run.add(Figure("REST observations (metric+year, 100 rows) vs Datasette", f"{rest.rps:.0f} vs {dsr.rps:.0f} "
                       "req/s", rest.rps / dsr.rps, "≥ 3×", rest.rps / dsr.rps >= 3, "as served: repeated URLs"))
        run.add(Figure("REST observations vs bare Starlette+sqlite3+orjson", f"{rest.rps:.0f} vs "
                       f"{ceiling.rps:.0f} req/s", rest.rps / ceiling.rps, "≥ 0.5", rest.rps / ceiling.rps >= 0.5,
                       "as served"))
        run.add(Figure("REST computed (no-cache) vs Datasette", f"{computed.rps:.0f} vs {dsr.rps:.0f} req/s",
                       computed.rps / dsr.rps, "≥ 3×", computed.rps / dsr.rps >= 3, "every request runs its query"))
        run.add(Figure("REST computed (no-cache) vs bare Starlette+sqlite3", f"{computed.rps:.0f} vs "
                       f"{ceiling.rps:.0f} req/s", computed.rps / ceiling.rps, "≥ 0.5",
                       computed.rps / ceiling.rps >= 0.5, "every request runs its query"))
        first, repeated = res["graphql_first"], res["graphql_repeated"]
        run.add(Figure("GraphQL same list, first request vs Datasette", f"{first.rps:.0f} vs {dsr.rps:.0f} req/s",
                       first.rps / dsr.rps, "≥ 1×", first.rps / dsr.rps >= 1, "every query text unique"))
        run.add(Figure("GraphQL repeated identical query vs REST", f"{repeated.rps:.0f} vs {rest.rps:.0f} req/s",
                       repeated.rps / rest.rps, "≥ 0.5", repeated.rps / rest.rps >= 0.5, "GET, no If-None-Match"))
        run.add(Figure("GraphQL first vs REST computed, latency under load (p50)", f"{first.p50_ms:.1f} vs "
                       f"{computed.p50_ms:.1f} ms", first.p50_ms / computed.p50_ms, "(no target)", None,
                       "both run their query"))
        dsu = res["datasette_rowid"]
        run.add(Figure("Datasette unsorted (rowid order) vs sorted", f"{dsu.rps:.0f} vs {dsr.rps:.0f} req/s",
                       dsu.rps / dsr.rps, "(no target)", None, "the issue's Datasette setting"))
        g304 = res["graphql_304"]
        run.add(Figure("GraphQL revalidation (304) vs REST full answer", f"{g304.rps:.0f} vs {rest.rps:.0f} req/s",
                       g304.rps / rest.rps, "(no target)", None))
        if run.left() > 20:
            report_page(run, gk, db_path)
        rss = gk.rss_mb()
        run.raw["rss_mb"] = {"gongkai": rss, "datasette": ds.rss_mb(), "bare": bare.rss_mb()}
        run.add(Figure("serve RSS after the load runs (gongkai, 1 worker)", f"{rss:.0f} MB "
                       f"(Datasette {ds.rss_mb():.0f} MB)", rss / 250, "≤ 250 MB (ratio ≤ 1)", rss <= 250))
        if run.left() > 20:
            deltas_and_rankings(run, gk, f"sqlite:///{db_path}", "sqlite")
    if pg_url and run.left() > 30:
        postgres_rest(run, pg_url, res["rest_computed"])
    if pg_url and not args.keep_postgres:
        from sqlalchemy import create_engine, text

        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{pg_schema(args)}" CASCADE'))
        admin.dispose()
    elapsed = time.perf_counter() - run.started
    out = ROOT / "var" / "bench" / f"api-{args.publishers}x{args.years[0]}-{args.years[1]}.json"
    out.write_bytes(orjson.dumps({"figures": [vars(f) for f in run.figures], "raw": run.raw,
                                  "elapsed_seconds": elapsed, "args": {k: v for k, v in vars(args).items()
                                                                       if k != "postgres"}},
                                 option=orjson.OPT_INDENT_2, default=str))
    print(f"\n{sum(1 for f in run.figures if f.ok)} of {sum(1 for f in run.figures if f.ok is not None)} targets met; "
          f"{elapsed:.0f} s; numbers in {out.relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
