"""The README's API examples are real: each one is run and must give the printed output.

GraphQL examples are a ```graphql block, an optional "Variables: `{…}`" line
and a ```json block; REST examples are a ```sh block with one
`curl -s 'URL' | jq` and a ```json block.  Run this module as a script with
``--update`` to rewrite the printed outputs from a fresh load of the bundled
data (after an extractor change).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```(?P<lang>\w+)\n(?P<body>.*?)\n```", re.S)
CURL = re.compile(r"^curl -s '(?P<url>http://127\.0\.0\.1:8000[^']+)' \| jq$")


@dataclass
class Example:
    kind: str  # graphql | rest
    request: str
    variables: dict[str, Any] | None
    output_span: tuple[int, int]
    output: Any


def examples(text: str) -> list[Example]:
    blocks = list(BLOCK.finditer(text))
    found: list[Example] = []
    for i, b in enumerate(blocks[:-1]):
        nxt = blocks[i + 1]
        if nxt.group("lang") != "json":
            continue
        between = text[b.end():nxt.start()]
        if b.group("lang") == "graphql":
            m = re.search(r"Variables: `(\{.*\})`", between)
            variables = json.loads(m.group(1)) if m else None
            found.append(Example("graphql", b.group("body"), variables, nxt.span("body"),
                                 json.loads(nxt.group("body"))))
        elif b.group("lang") == "sh" and between.strip() == "":
            c = CURL.match(b.group("body").strip())
            if c:
                found.append(Example("rest", c.group("url").removeprefix("http://127.0.0.1:8000"), None,
                                     nxt.span("body"), json.loads(nxt.group("body"))))
    return found


def run(client: httpx.Client, ex: Example) -> Any:
    if ex.kind == "graphql":
        r = client.post("/graphql", json={"query": ex.request, "variables": ex.variables or {}})
    else:
        r = client.get(ex.request)
    body = r.json()
    return json.loads(json.dumps(body).replace("http://testserver", "http://127.0.0.1:8000"))


EXAMPLES = examples(README.read_text(encoding="utf-8"))


def test_readme_has_the_examples_the_issues_ask_for() -> None:
    assert sum(e.kind == "graphql" for e in EXAMPLES) >= 5
    assert sum(e.kind == "rest" for e in EXAMPLES) >= 5


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_readme_example_gives_the_printed_output(client: httpx.Client, index: int) -> None:
    ex = EXAMPLES[index]
    assert run(client, ex) == ex.output, f"README example {index} ({ex.kind}: {ex.request[:60]!r}) is stale"


def _update() -> None:  # pragma: no cover - a maintenance command
    import os
    import tempfile

    from api.app import create_app
    from db.bundled import load_bundled
    from db.engine import get_engine, upgrade
    from db.loader import ensure_dictionary
    from tests.conftest import _SyncASGIClient

    url = f"sqlite:///{tempfile.mkdtemp()}/readme.sqlite3"
    os.environ["GONGKAI_DATABASE_URL"] = url
    engine = get_engine(url)
    upgrade(engine)
    ensure_dictionary(engine)
    load_bundled(engine)
    client = _SyncASGIClient(httpx.ASGITransport(app=create_app()))  # type: ignore[arg-type]
    text = README.read_text(encoding="utf-8")
    for ex in reversed(examples(text)):
        out = json.dumps(run(client, ex), ensure_ascii=False, indent=2)
        text = text[: ex.output_span[0]] + out + text[ex.output_span[1]:]
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    if "--update" in sys.argv:
        _update()
