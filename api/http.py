"""The HTTP behaviour every REST resource shares, driven by its ``Endpoint`` record.

One function (``dispatch``) validates the query string against the endpoint's
parameters, negotiates the format, answers 304 when the client's ETag is
current, runs the query in a worker thread and renders JSON, CSV or NDJSON.
Handlers therefore only map parsed parameters to a ``db.queries`` call, and a
new resource gets pagination, field selection, caching and CSV for free.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from api.problems import ApiError, problem_response
from api.response_cache import RESPONSES, CachedResponse, cache_key, may_store, wants_fresh
from api.spec import MODELS, Call, Endpoint, Param, field_paths, resolve
from db import queries
from db.engine import get_engine
from db.loader import cached_data_version, fresh_data_version
from db.threads import run_db

log = logging.getLogger("gongkai")

CACHE_CONTROL = "public, max-age=300"
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
ACCEPTED = {"application/json": "json", "text/csv": "csv", "application/x-ndjson": "ndjson",
            "application/ndjson": "ndjson"}
DEFAULT_LIMIT = 100
STREAM_PAGE = queries.MAX_LIMIT  # rows fetched per query while streaming a whole CSV/NDJSON list


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json", headers=headers)


# --- negotiation and parameters ---------------------------------------------------

def negotiate(endpoint: Endpoint, request: Request, suffix: str | None) -> str:
    """The response format: the path suffix, else ``format=``, else the Accept header, else JSON."""
    asked = [v for k, v in request.query_params.multi_items() if k == "format"]
    if asked and asked[0] not in MEDIA_TYPES:
        raise ApiError(400, "unsupported_format", f"format: {asked[0][:40]!r} is not one of json, csv, ndjson")
    if asked and not endpoint.tabular and asked[0] != "json":
        raise ApiError(400, "unsupported_format", f"{endpoint.path} is only available as JSON")
    if suffix:
        if asked and asked[0] != suffix:
            raise ApiError(400, "unsupported_format", f"the path asks for {suffix} but format= asks for {asked[0]}")
        return suffix
    if asked:
        return asked[0]
    if endpoint.tabular:
        for media in _accept(request.headers.get("accept", "")):
            if media in ACCEPTED:
                return ACCEPTED[media]
            if media in ("*/*", "application/*"):
                break
    return "json"


def _accept(header: str) -> list[str]:
    """Media ranges of an Accept header, best first (q-values honoured, order kept on ties)."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        media, _, rest = part.strip().partition(";")
        q = 1.0
        for p in rest.split(";"):
            k, _, v = p.strip().partition("=")
            if k == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranked.append((-q, i, media.strip().lower()))
    return [m for _, _, m in sorted(ranked)]


def _parse_sort(endpoint: Endpoint, raw: str) -> queries.SortSpec:
    assert endpoint.sorting is not None
    keys = endpoint.sorting.keys
    spec: list[tuple[str, bool]] = []
    for part in raw.split(","):
        name = part.strip()
        desc = name.startswith("-")
        name = name.lstrip("-+")
        if name not in keys:
            raise ApiError(400, "invalid_sort", f"sort: cannot sort by {name[:40]!r}; sort keys: {', '.join(keys)} "
                                                "(prefix '-' for descending)")
        if any(k == name for k, _ in spec):
            raise ApiError(400, "invalid_sort", f"sort: {name!r} given twice")
        spec.append((name, desc))
    return tuple(spec)


def _parse_fields(model: str, raw: str, extra: Iterable[str] = ()) -> list[str]:
    allowed = field_paths(model) + list(extra)
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    if not fields:
        raise ApiError(400, "unknown_field", f"fields: name at least one of {', '.join(allowed)}")
    for f in fields:
        if f not in allowed:
            raise ApiError(400, "unknown_field", f"fields: unknown field {f[:60]!r}; fields: {', '.join(allowed)}")
    return fields


def parse_call(endpoint: Endpoint, request: Request, dic: queries.Dictionary, fmt: str) -> Call:
    """Validate the query string: unknown, repeated or malformed parameters are errors, not ignored."""
    allowed: dict[str, Param] = {p.name: p for p in endpoint.all_params() if p.location == "query"}
    dimension_names = list(dic.dimensions) if endpoint.dims else []
    params: dict[str, Any] = {}
    raw_values: dict[str, str] = {}
    dims: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in raw_values:
            raise ApiError(400, "repeated_parameter", f"query parameter {key[:60]!r} given more than once")
        raw_values[key] = value
        if key in allowed:
            params[key] = allowed[key].parse(value)
        elif key in dimension_names:
            dims[key] = value
        else:
            names = sorted(allowed) + dimension_names
            raise ApiError(400, "unknown_parameter",
                           f"unknown query parameter {key[:60]!r}; {endpoint.path} takes: {', '.join(names)}")
    missing = [p.name for p in allowed.values() if p.required and p.name not in params]
    if missing:
        example = "&".join(f"{p.name}={p.example}" for p in allowed.values() if p.required and p.example)
        raise ApiError(400, "missing_parameter", f"{endpoint.path} needs {' and '.join(missing)}"
                       + (f", e.g. {endpoint.path}?{example}" if example else ""))
    path: dict[str, str] = {}
    for p in endpoint.path_params:
        path[p.name] = p.parse(request.path_params[p.name])
    if dims:
        dic.check_dims(dims)
    if fmt == "json" and params.get("bom") is not None:
        raise ApiError(400, "invalid_parameter", "bom: only applies to CSV")
    sort = _parse_sort(endpoint, raw_values["sort"]) if "sort" in raw_values else None
    tabular_rows = fmt != "json" and endpoint.rows is not None
    model = endpoint.row_model if tabular_rows and endpoint.row_model else endpoint.model
    extra = ["metric_label", "metric_label_zh", "metric_label_en"] if MODELS[model].get("x-metric-labels") else []
    fields = _parse_fields(model, raw_values["fields"], extra) if "fields" in raw_values else None
    explicit = "limit" in params
    limit = params.get("limit", DEFAULT_LIMIT if fmt == "json" else STREAM_PAGE)
    return Call(params=params, path=path, dims=dims, sort=sort, limit=limit, after=params.get("after"),
                fields=fields, lang=params.get("lang"), explicit_limit=explicit)


# --- caching -----------------------------------------------------------------------

def make_etag(version: str, request: Request, fmt: str, suffix: str | None) -> str:
    """A strong ETag: the data version and the canonical request (path, format, sorted parameters, encoding).

    The encoding is part of it because gzip changes the bytes, and a strong
    validator promises byte-identical representations.
    """
    path = request.url.path
    if suffix:
        path = path[: -len(suffix) - 1]
    gz = "gzip" in request.headers.get("accept-encoding", "").lower()
    items = sorted(f"{k}={v}" for k, v in request.query_params.multi_items() if k != "format")
    canonical = "\n".join([path, fmt, "gzip" if gz else "identity", *items])
    return f'"{version}-{hashlib.sha256(canonical.encode()).hexdigest()[:20]}"'


def etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    for candidate in header.split(","):
        c = candidate.strip()
        if c == "*" or c.removeprefix("W/") == etag:
            return True
    return False


def cache_headers(etag: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept, Accept-Encoding"}


# --- shaping items -------------------------------------------------------------------

def relabel(value: Any, lang: str) -> Any:
    """Replace every label_zh/label_en pair by ``label`` in the language asked for."""
    if isinstance(value, list):
        return [relabel(v, lang) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    paired = "label_zh" in value and "label_en" in value
    for k, v in value.items():
        if paired and k in ("label_zh", "label_en"):
            if k == "label_zh":
                out["label"] = value[f"label_{lang}"]
            continue
        out[k] = relabel(v, lang)
    return out


def pick(item: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    wanted_top = {f.split(".", 1)[0] for f in fields}
    whole = {f for f in fields if "." not in f}
    out: dict[str, Any] = {}
    for k, v in item.items():
        if k not in wanted_top:
            continue
        if k in whole or not isinstance(v, dict):
            out[k] = v
        else:
            subs = {f.split(".", 1)[1] for f in fields if f.startswith(k + ".")}
            out[k] = {sk: sv for sk, sv in v.items() if sk in subs}
    return out


def shape(item: Any, call: Call) -> Any:
    if call.lang and isinstance(item, (dict, list)):
        item = relabel(item, call.lang)
    if call.fields and isinstance(item, dict):
        item = pick(item, call.fields)
    return item


# --- tables (CSV and NDJSON) ------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    header: str
    top: str  # the member `fields=` selects it by
    get: Callable[[dict[str, Any]], Any]


def _getter(path: tuple[str, ...]) -> Callable[[dict[str, Any]], Any]:
    def get(item: dict[str, Any]) -> Any:
        v: Any = item
        for p in path:
            if not isinstance(v, dict):
                return None
            v = v.get(p)
        return v
    return get


def table_columns(model: str, dic: queries.Dictionary, lang: str | None) -> list[Column]:
    """CSV columns of a model: nested members flattened as ``a.b``, one column per dictionary dimension,
    and the metric's label (from the dictionary) next to its code."""
    schema = MODELS[model]
    paired = "label_zh" in schema["properties"] and "label_en" in schema["properties"]
    cols: list[Column] = []

    def walk(props: dict[str, Any], prefix: tuple[str, ...]) -> None:
        for name, prop in props.items():
            path = (*prefix, name)
            top = path[0]
            if prop.get("x-dims"):
                for dim in dic.dimensions:
                    cols.append(Column(dim, top, _getter((*path, dim))))
                continue
            if name in ("label_zh", "label_en", "label") and not prefix and paired:
                if name == "label" and lang:
                    cols.append(Column("label", "label", _getter((f"label_{lang}",))))
                elif name != "label" and not lang:
                    cols.append(Column(name, name, _getter(path)))
                continue
            inner = resolve(prop)
            if inner.get("type") == "object" and "properties" in inner:
                walk(inner["properties"], path)
                continue
            cols.append(Column(".".join(path), top, _getter(path)))
            if name == "metric" and not prefix and schema.get("x-metric-labels"):
                for lg in ([lang] if lang else ["zh", "en"]):
                    header = "metric_label" if lang else f"metric_label_{lg}"

                    def label(item: dict[str, Any], lg: str = lg) -> Any:
                        m = dic.metrics.get(item.get("metric") or "")
                        return m[f"label_{lg}"] if m else None
                    cols.append(Column(header, header, label))

    walk(schema["properties"], ())
    return cols


def select_columns(cols: list[Column], fields: list[str] | None) -> list[Column]:
    if not fields:
        return cols
    wanted = set(fields)
    chosen = [c for c in cols if c.header in wanted or c.top in wanted]
    # keep the order the client asked for, as a spreadsheet user expects
    order = {f: i for i, f in enumerate(fields)}
    return sorted(chosen, key=lambda c: order.get(c.header, order.get(c.top, len(order))))


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return ";".join(_cell(x) for x in v)
    if isinstance(v, dict):
        return orjson.dumps(v).decode()
    return str(v)


def csv_chunk(cols: list[Column], items: Iterable[dict[str, Any]], header: bool, bom: bool) -> bytes:
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    writer = csv.writer(buf)
    if header:
        writer.writerow([c.header for c in cols])
    for item in items:
        writer.writerow([_cell(c.get(item)) for c in cols])
    return buf.getvalue().encode("utf-8")


def ndjson_chunk(items: Iterable[Any], call: Call) -> bytes:
    return b"".join(orjson.dumps(shape(i, call)) + b"\n" for i in items)


# --- dispatch ----------------------------------------------------------------------------

@dataclass
class Prepared:
    call: Call
    dic: queries.Dictionary
    etag: str
    result: Any
    not_modified: bool = False


def _run(endpoint: Endpoint, call: Call) -> Any:
    with get_engine().connect() as conn:
        return endpoint.run(conn, call)


def _error(exc: Exception, request: Request) -> Response:
    if isinstance(exc, ApiError):
        return problem_response(exc.status, exc.code, exc.detail, instance=request.url.path, **exc.extra)
    assert isinstance(exc, queries.QueryError)
    return problem_response(exc.status, exc.code, str(exc), instance=request.url.path, **exc.extra)


async def dispatch(endpoint: Endpoint, request: Request, suffix: str | None = None) -> Response:
    try:
        fmt = negotiate(endpoint, request, suffix)
        if_none_match = request.headers.get("if-none-match")

        # A revalidation, or a request answered before, is served before any parsing: the ETag needs only
        # the data version (cached per process, see db.loader.DATA_VERSION_TTL) and the raw request.  "*"
        # still goes through parsing, so a malformed request is answered 400, never 304.
        engine = get_engine()
        revalidating = if_none_match is not None and if_none_match.strip() not in ("", "*")
        cacheable = RESPONSES.enabled and request.method in ("GET", "HEAD")
        fresh = cacheable and wants_fresh(request.headers)
        version = fresh_data_version(engine)
        if version is not None:
            etag = make_etag(version, request, fmt, suffix)
            if revalidating and etag_matches(if_none_match, etag):
                return Response(status_code=304, headers=cache_headers(etag))
            if cacheable and not fresh:
                hit = RESPONSES.get(cache_key(engine, etag))
                if hit is not None:
                    return hit.response()

        def work() -> Prepared | str | CachedResponse:
            with engine.connect() as conn:
                version = cached_data_version(conn)
                etag = make_etag(version, request, fmt, suffix)
                if revalidating and etag_matches(if_none_match, etag):
                    return etag  # not modified: no parsing, no query
                if cacheable and not fresh:
                    hit = RESPONSES.get(cache_key(engine, etag))
                    if hit is not None:
                        return hit
                dic = queries.dictionary(conn, version)
                call = parse_call(endpoint, request, dic, fmt)
                if etag_matches(if_none_match, etag):
                    return Prepared(call, dic, etag, None, not_modified=True)
                return Prepared(call, dic, etag, endpoint.run(conn, call))

        prep = await run_db(work)
    except (ApiError, queries.QueryError) as exc:
        return _error(exc, request)
    if isinstance(prep, str):
        return Response(status_code=304, headers=cache_headers(prep))
    if isinstance(prep, CachedResponse):
        return prep.response()
    headers = cache_headers(prep.etag)
    if prep.not_modified:
        return Response(status_code=304, headers=headers)
    if fmt == "json":
        response = _render_json(endpoint, request, prep, headers)
    else:
        response = _render_table(endpoint, request, prep, headers, fmt)
    if cacheable and not isinstance(response, StreamingResponse):
        if may_store(request.headers):
            RESPONSES.put(cache_key(engine, prep.etag), response, headers)
        response.headers["X-Cache"] = "MISS"
    return response


def _next_url(request: Request, cursor: str | None) -> str | None:
    if not cursor:
        return None
    return str(request.url.include_query_params(after=cursor))


def _shaped(items: list[Any], call: Call) -> list[Any]:
    """Items relabelled and narrowed as asked; as they are (no copy) when nothing is asked."""
    if not call.lang and not call.fields:
        return items if isinstance(items, list) else list(items)
    return [shape(i, call) for i in items]


def _render_json(endpoint: Endpoint, request: Request, prep: Prepared, headers: dict[str, str]) -> Response:
    call, result = prep.call, prep.result
    if endpoint.shape == "page":
        assert isinstance(result, queries.Page)
        nxt = _next_url(request, result.next_cursor)
        if nxt:
            headers["Link"] = f'<{nxt}>; rel="next"'
        return json_response({"data": _shaped(result.items, call), "next": nxt}, headers=headers)
    if endpoint.shape == "list":
        return json_response({"data": _shaped(result, call)}, headers=headers)
    return json_response({"data": shape(result, call)}, headers=headers)


def _render_table(endpoint: Endpoint, request: Request, prep: Prepared, headers: dict[str, str],
                  fmt: str) -> Response:
    call, result = prep.call, prep.result
    model = endpoint.row_model or endpoint.model
    cols = select_columns(table_columns(model, prep.dic, call.lang), call.fields)
    bom = bool(call.get("bom"))

    def encode(items: list[Any], first: bool) -> bytes:
        if fmt == "csv":
            return csv_chunk(cols, items, header=first, bom=bom and first)
        return ndjson_chunk(items, call)

    if fmt == "csv":
        name = endpoint.operation_id.replace("_", "-")
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    media = MEDIA_TYPES[fmt]
    if endpoint.shape != "page":
        items = endpoint.rows(result) if endpoint.rows else result
        return Response(encode(list(items), True), media_type=media, headers=headers)
    page = result
    assert isinstance(page, queries.Page)
    if call.explicit_limit:
        nxt = _next_url(request, page.next_cursor)
        if nxt:
            headers["Link"] = f'<{nxt}>; rel="next"'
        return Response(encode(page.items, True), media_type=media, headers=headers)

    async def stream() -> AsyncIterator[bytes]:
        current, first = page, True
        while True:
            yield encode(current.items, first)
            first = False
            if not current.next_cursor:
                return
            try:
                current = await run_db(_run, endpoint, replace(call, after=current.next_cursor))
            except Exception:  # the status line is sent: log and end the stream early
                log.exception("stream of %s ended early", request.url.path)
                return

    return StreamingResponse(stream(), media_type=media, headers=headers)


def endpoint_handler(endpoint: Endpoint, suffix: str | None = None) -> Callable[[Request], Any]:
    async def handler(request: Request) -> Response:
        return await dispatch(endpoint, request, suffix)
    handler.__name__ = endpoint.operation_id
    return handler

