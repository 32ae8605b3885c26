"""OpenAPI 3.1 document and the offline docs page, both generated from the route table.

The document is built from ``api.rest.ENDPOINTS`` and ``api.spec.MODELS`` (the
records the handlers run on) plus the dictionary in the database (dimension
filters and their members), so it is always the API that is actually served.
The docs page renders the same document as plain HTML: no CDN, no script, it
works offline and in any browser.
"""

from __future__ import annotations

import html
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api.http import cache_headers, etag_matches, json_response
from api.problems import CODES
from api.rest import ENDPOINTS
from api.spec import JSON, MODELS, Endpoint, array, nullable, ref
from db import queries
from db.engine import get_engine
from db.loader import data_version

TITLE = "gongkai API"
DESCRIPTION = (
    "Open data from Chinese government information-disclosure annual reports (政府信息公开工作年度报告): "
    "publishers, reports, their sections, every figure with its provenance, the comparisons reports make and "
    "consistency checks.\n\n"
    "Conventions: unknown parameters are errors; lists use opaque keyset cursors (`next`, `Link: rel=\"next\"`), "
    "`limit` ≤ 1000; `sort=-year,metric`; `fields=`; tabular resources also answer in CSV (`.csv`, `format=csv` or "
    "`Accept: text/csv`; `bom=1` for Excel) and NDJSON; `lang=en|zh`; strong ETags with 304; errors are "
    "`application/problem+json` with a stable `code` (the same codes as GraphQL's `extensions.code`); repeated "
    "requests are answered from a per-process cache keyed by the data version (`X-Cache: HIT`; send "
    "`Cache-Control: no-cache` for a freshly computed answer). "
    "GraphQL is served at /graphql."
)
PROBLEM = {"application/problem+json": {"schema": ref("Problem")}}
HEADERS: dict[str, Any] = {
    "ETag": {"description": "Strong validator: data version and canonical request.", "schema": {"type": "string"}},
    "Cache-Control": {"description": "public, max-age=300", "schema": {"type": "string"}},
    "X-Cache": {"description": "HIT: answered from the process's response cache (same data version); MISS: computed.",
                "schema": {"type": "string", "enum": ["HIT", "MISS"]}},
}


def _clean(schema: Any) -> Any:
    """A model without the private ``x-`` keys the CSV writer reads."""
    if isinstance(schema, dict):
        return {k: _clean(v) for k, v in schema.items() if not k.startswith("x-")}
    if isinstance(schema, list):
        return [_clean(v) for v in schema]
    return schema


def _dimension_params(dic: queries.Dictionary) -> list[JSON]:
    out = []
    for name, members in dic.dimensions.items():
        if dic.is_free_text(name):
            schema: JSON = {"type": "string", "minLength": 1, "maxLength": 128}
            desc = f"Dimension filter: figures for part of the publisher ({name}, free text)."
        else:
            schema = {"type": "string", "enum": list(members)}
            desc = f"Dimension filter ({name}); without it, the total."
        out.append({"name": name, "in": "query", "required": False, "description": desc, "schema": schema})
    return out


def _operation(ep: Endpoint, dic: queries.Dictionary) -> JSON:
    params = [p.openapi() for p in ep.all_params()]
    if ep.dims:
        params += _dimension_params(dic)
    if ep.shape == "page":
        body: JSON = {"type": "object", "properties": {"data": array(ref(ep.model)), "next": nullable(
            {"type": "string", "description": "URL of the next page, or null on the last page"})},
            "required": ["data", "next"], "additionalProperties": False}
    elif ep.shape == "list":
        body = {"type": "object", "properties": {"data": array(ref(ep.model))}, "required": ["data"],
                "additionalProperties": False}
    else:
        body = {"type": "object", "properties": {"data": ref(ep.model)}, "required": ["data"],
                "additionalProperties": False}
    content: JSON = {"application/json": {"schema": body}}
    if ep.tabular:
        content["text/csv"] = {"schema": {"type": "string"}}
        content["application/x-ndjson"] = {"schema": {"type": "string"}}
    headers = dict(HEADERS)
    if ep.shape == "page":
        headers["Link"] = {"description": "<next page URL>; rel=\"next\"", "schema": {"type": "string"}}
    description = ep.description
    if ep.tabular:
        description += (f"\n\nAlso at `{ep.path}.csv` and `{ep.path}.ndjson`." if description
                        else f"Also at `{ep.path}.csv` and `{ep.path}.ndjson`.")
    responses: JSON = {
        "200": {"description": "OK", "headers": headers, "content": content},
        "304": {"description": "Not modified (If-None-Match matched the ETag)."},
        "400": {"description": "Bad request: see `code` and `detail`.", "content": PROBLEM},
        "414": {"description": "Request URL too long.", "content": PROBLEM},
    }
    if ep.path_params or ep.operation_id == "get_series":
        responses["404"] = {"description": "Not found.", "content": PROBLEM}
    return {"operationId": ep.operation_id, "summary": ep.summary, "description": description,
            "tags": [ep.tag], "parameters": params, "responses": responses}


def build_openapi(dic: queries.Dictionary) -> JSON:
    paths: JSON = {ep.path: {"get": _operation(ep, dic)} for ep in ENDPOINTS}
    status = {"type": "object", "properties": {"status": {"type": "string"}, "data_version": {"type": "string"}}}
    paths["/healthz"] = {"get": {"operationId": "healthz", "summary": "Liveness", "tags": ["health"],
                                 "responses": {"200": {"description": "The process is up.", "content": {
                                     "application/json": {"schema": status}}}}}}
    paths["/readyz"] = {"get": {"operationId": "readyz", "summary": "Readiness: the database answers",
                                "tags": ["health"],
                                "responses": {"200": {"description": "Ready, with the data version.", "content": {
                                    "application/json": {"schema": status}}},
                                    "503": {"description": "Database unreachable.", "content": PROBLEM}}}}
    schemas = _clean(MODELS)
    schemas["Problem"]["properties"]["code"]["description"] = "One of: " + ", ".join(CODES)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": TITLE, "version": "1", "description": DESCRIPTION,
                 "x-data-version": dic.version},
        "servers": [{"url": "/"}],
        "tags": [{"name": "publishers"}, {"name": "reports"}, {"name": "data"}, {"name": "dictionary"},
                 {"name": "health"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _load() -> tuple[str, JSON]:
    with get_engine().connect() as conn:
        version = data_version(conn)
        return version, build_openapi(queries.dictionary(conn, version))


async def openapi_json(request: Request) -> Response:
    version, doc = await run_in_threadpool(_load)
    etag = f'"{version}-openapi"'
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=cache_headers(etag))
    return json_response(doc, headers=cache_headers(etag))


# --- the docs page -------------------------------------------------------------------------

CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:0 auto;padding:1rem 2rem;color:#222}
code,pre{font:13px ui-monospace,monospace;background:#f4f4f4;padding:0 .2em}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #ddd;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#fafafa}h2{border-bottom:2px solid #333;margin-top:2.5rem}
h3{margin-bottom:.2rem}.get{background:#2a7;color:#fff;padding:0 .4em;border-radius:3px;font-weight:600}
nav a{margin-right:1rem}
"""


def _type(schema: JSON) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return f'<a href="#model-{name}">{name}</a>'
    if "anyOf" in schema:
        return " | ".join(_type(s) for s in schema["anyOf"])
    t = schema.get("type", "any")
    if isinstance(t, list):
        t = " | ".join(t)
    if t == "array" or (isinstance(schema.get("type"), list) and "array" in schema["type"]):
        return f"{html.escape(str(t))} of {_type(schema.get('items', {}))}"
    out = html.escape(str(t))
    if "enum" in schema:
        out += ": " + ", ".join(f"<code>{html.escape(str(v))}</code>" for v in schema["enum"])
    if "pattern" in schema:
        out += f" <code>{html.escape(schema['pattern'])}</code>"
    return out


def _text(s: str) -> str:
    """Escape, then render `code` spans (the only markup the descriptions use)."""
    parts = html.escape(s).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)).replace("\n\n", "<br><br>")


def render_docs(doc: JSON) -> str:
    out = [f"<!doctype html><html lang=en><meta charset=utf-8><title>{TITLE}</title><style>{CSS}</style>",
           f"<h1>{TITLE}</h1><p>{_text(doc['info']['description'])}</p>",
           "<nav><a href=/api/v1/openapi.json>openapi.json</a><a href=/graphql>GraphQL (GraphiQL)</a>"
           "<a href=#errors>Error codes</a><a href=#models>Models</a></nav>", "<h2>Resources</h2><ul>"]
    for path, item in doc["paths"].items():
        op = item["get"]
        out.append(f'<li><a href="#{op["operationId"]}"><code>GET {html.escape(path)}</code></a> — '
                   f"{html.escape(op['summary'])}</li>")
    out.append("</ul>")
    for path, item in doc["paths"].items():
        op = item["get"]
        out.append(f'<h3 id="{op["operationId"]}"><span class=get>GET</span> <code>{html.escape(path)}</code></h3>')
        out.append(f"<p><b>{html.escape(op['summary'])}</b>. {_text(op.get('description', ''))}</p>")
        if op.get("parameters"):
            out.append("<table><tr><th>Parameter</th><th>In</th><th>Type</th><th>Description</th></tr>")
            for p in op["parameters"]:
                example = f"<br>e.g. <code>{html.escape(p['example'])}</code>" if p.get("example") else ""
                out.append(f"<tr><td><code>{html.escape(p['name'])}</code></td><td>{p['in']}</td>"
                           f"<td>{_type(p['schema'])}</td><td>{_text(p['description'])}{example}</td></tr>")
            out.append("</table>")
        ok = op["responses"]["200"]
        for media, body in ok.get("content", {}).items():
            schema = body["schema"]
            data = schema.get("properties", {}).get("data")
            shown = _type(data) if data is not None else _type(schema)
            out.append(f"<p>200 <code>{html.escape(media)}</code>: {shown}</p>")
    out.append('<h2 id=errors>Error codes</h2><table><tr><th>code</th><th>meaning</th></tr>')
    for code, meaning in CODES.items():
        out.append(f"<tr><td><code>{code}</code></td><td>{html.escape(meaning)}</td></tr>")
    out.append("</table><h2 id=models>Models</h2>")
    for name, schema in doc["components"]["schemas"].items():
        out.append(f'<h3 id="model-{name}">{name}</h3><p>{_text(schema.get("description", ""))}</p>')
        out.append("<table><tr><th>Member</th><th>Type</th><th>Description</th></tr>")
        for prop, ps in schema.get("properties", {}).items():
            out.append(f"<tr><td><code>{prop}</code></td><td>{_type(ps)}</td>"
                       f"<td>{_text(ps.get('description', ''))}</td></tr>")
        out.append("</table>")
    out.append("</html>")
    return "\n".join(out)


async def docs_page(request: Request) -> Response:
    version, doc = await run_in_threadpool(_load)
    etag = f'"{version}-docs"'
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=cache_headers(etag))
    return HTMLResponse(render_docs(doc), headers=cache_headers(etag))
