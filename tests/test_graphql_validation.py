"""The validation shortcut (schema.validation) never calls a document valid that graphql-core would reject.

``provably_valid`` may answer "don't know" as often as it likes (the document
is then validated in full), but when it answers "valid", graphql-core with
every rule the schema runs (the specified rules, strawberry's, the depth and
alias limits) must find no error.  Checked on documents written to break one
rule each, and on documents hypothesis-graphql draws from the schema, valid
and invalid; the common queries must take the shortcut.
"""

from __future__ import annotations

import pytest
from graphql import DocumentNode, parse, print_ast, specified_rules
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema
from strawberry.schema.schema import validate_document

from schema.graphql import schema
from schema.limits import LIMIT_RULES, MAX_ALIASES, MAX_DEPTH
from schema.validation import provably_valid

GRAPHQL_SCHEMA = schema._schema
RULES = (*specified_rules, *LIMIT_RULES)

OBS = ("query Obs($metric: String!, $year: Int!) { observations(first: 100, filter: {metric: $metric, year: $year}) "
       "{ edges { node { databaseId reportId publisherId year metric dims { name value } value unit qualifier status "
       "candidates label note provenance { section sectionTitle quote start end } } } "
       "pageInfo { endCursor hasNextPage } } }")


def full_errors(document: DocumentNode) -> list[str]:
    return [e.message for e in validate_document(GRAPHQL_SCHEMA, document, RULES)]


def provable(document: DocumentNode) -> bool:
    return provably_valid(GRAPHQL_SCHEMA, document, max_depth=MAX_DEPTH, max_aliases=MAX_ALIASES)


def check(text: str) -> tuple[bool, list[str]]:
    document = parse(text)
    errors = full_errors(document)
    fast = provable(document)
    assert not (fast and errors), f"called valid, but graphql-core says {errors}"
    return fast, errors


def _deep(levels: int) -> str:
    return "{ publishers(first: 1) { edges { node { " + "parent { " * levels + "name" + " }" * levels + " } } } }"


PROVABLE = [
    OBS,
    OBS + "\n# a comment",
    "{ __typename metrics { code } }",
    '{ metric(code: "review.total") { code label(lang: EN) labelZh } }',
    "query($n: Int = 5) { observations(first: $n) { totalCount edges { cursor node { id } } } }",
    "query($n: Int!, $a: String) { observations(first: $n, after: $a) { edges { node { id } } } }",
    'query($m: String!) { observations(first: 5, filter: {metrics: [$m, "x"], yearRange: {from: 2017, to: 2019}}) '
    "{ edges { node { year } } } }",
    "query($r: YearRange) { observations(first: 5, filter: {yearRange: $r}) { edges { node { year } } } }",
    "query($b: Boolean!) { metrics { code @include(if: $b) unit @skip(if: $b) @include(if: true) } }",
    "{ a: metrics { c: code } b: metrics { code } }",
    "{ observations(first: 3, orderBy: [{field: YEAR, direction: DESC}, {field: ID}]) { edges { node { id } } } }",
    'query($id: ID!) { node(id: $id) { __typename id } nodes(ids: [$id, "x"]) { id } }',
    'query($p: ID!) { series(publisher: $p, metric: "review.total", mode: PREVIOUS_AVAILABLE) '
    "{ points { year change } } }",
    _deep(MAX_DEPTH - 5),
]

NOT_PROVABLE_BUT_VALID = [
    "{ ...Q } fragment Q on Query { metrics { code } }",
    "{ metrics { ... on Metric { code } } }",
    "{ metrics { code code } }",
    "{ observations(first: 3, after: null) { edges { node { id } } } }",
    "{ __schema { queryType { name } } }",
    "query A { metrics { code } } query B { metrics { unit } }",
    "query($n: Int = null) { observations(first: 1, filter: {year: $n}) { totalCount } }",
]

INVALID = [
    "{ metrics { nope } }",
    "{ nope }",
    "{ metrics { code { x } } }",
    "{ metrics }",
    "{ metrics(nope: 1) { code } }",
    '{ metric(code: "a", code: "b") { code } }',
    "{ observations { edges { node { id } } } }",
    "{ observations(first: \"1\") { totalCount } }",
    "{ observations(first: 99999999999) { totalCount } }",
    "{ observations(first: 1, filter: {nope: 1}) { totalCount } }",
    "{ observations(first: 1, filter: {yearRange: {from: 2017}}) { totalCount } }",
    "{ observations(first: 1, filter: {year: 1, year: 2}) { totalCount } }",
    "{ observations(first: 1, orderBy: [{field: NOPE}]) { totalCount } }",
    "{ observations(first: 1, filter: {metrics: [1]}) { totalCount } }",
    "{ metric(code: null) { code } }",
    "{ metrics { label(lang: en) } }",
    "{ metrics { label } }",
    "query($a: Int) { metrics { code } }",
    "{ observations(first: $n) { totalCount } }",
    "query($n: String!) { observations(first: $n) { totalCount } }",
    "query($n: Int) { observations(first: $n) { totalCount } }",
    "query($n: [Int!]!) { observations(first: $n) { totalCount } }",
    "query($m: Int!) { observations(first: 5, filter: {metrics: [$m]}) { totalCount } }",
    "query($n: Foo) { observations(first: 1) { totalCount } }",
    "query($n: Observation) { observations(first: 1) { totalCount } }",
    "query($n: Int!, $n: Int!) { observations(first: $n) { totalCount } }",
    "query($b: Boolean) { metrics { code @include(if: $b) } }",
    "{ metrics { code @include } }",
    "{ metrics { code @include(if: 1) } }",
    "{ metrics { code @include(if: true) @include(if: false) } }",
    "{ metrics { code @deprecated } }",
    "{ metrics { code @nope } }",
    "{ metrics { code @include(if: true, other: 1) } }",
    "query @include(if: true) { metrics { code } }",
    "{ metrics { a: code a: unit } }",
    "{ a: metrics { code } a: categories { code } }",
    "mutation { metrics { code } }",
    "subscription { metrics { code } }",
    "{ metrics { code } } { categories { code } }",
    "query A { metrics { code } } query A { categories { code } }",
    "{ __typename(x: 1) }",
    "{ __typename { x } }",
    "{ metrics { __type(name: \"Metric\") { name } } }",
    "{ node(id: \"x\") { databaseId } }",
    _deep(MAX_DEPTH + 1),
    "{ " + " ".join(f"a{i}: metrics {{ code }}" for i in range(MAX_ALIASES + 1)) + " }",
    "fragment F on Metric { code } { metrics { code } }",
    "{ ...Nope }",
    'query($id: ID!) { nodes(ids: [$id, null]) { id } }',
    "query($r: YearRange!) { observations(first: 1, filter: {yearRange: {from: $r, to: 1}}) { totalCount } }",
    "type Foo { a: Int } { metrics { code } }",
]


def test_the_schema_skips_full_validation_only_for_provable_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    import strawberry.schema.schema as strawberry_schema

    calls: list[DocumentNode] = []
    original = strawberry_schema.validate

    def spy(schema_: object, document: DocumentNode, *args: object, **kwargs: object) -> object:
        calls.append(document)
        return original(schema_, document, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(strawberry_schema, "validate", spy)
    assert asyncio.run(schema.execute("{ __typename }")).data == {"__typename": "Query"}
    assert calls == []
    result = asyncio.run(schema.execute("{ __typename metrics }"))
    assert len(calls) == 1 and result.errors and result.errors[0].extensions is not None
    assert result.errors[0].extensions["code"] == "graphql_validation_failed"


@pytest.mark.parametrize("text", PROVABLE)
def test_common_queries_take_the_shortcut(text: str) -> None:
    assert check(text) == (True, [])


@pytest.mark.parametrize("text", NOT_PROVABLE_BUT_VALID)
def test_valid_queries_outside_the_subset_are_validated_in_full(text: str) -> None:
    assert check(text) == (False, [])


@pytest.mark.parametrize("text", INVALID)
def test_invalid_queries_are_never_called_valid(text: str) -> None:
    fast, errors = check(text)
    assert errors and not fast


# node and nodes return an interface, so drawn queries on them always hold fragments (outside the subset)
ROOT_FIELDS = [name for name in GRAPHQL_SCHEMA.query_type.fields if name not in ("node", "nodes")]  # type: ignore[union-attr]


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(
    from_schema(GRAPHQL_SCHEMA, print_ast=lambda d: d, mode=Mode.POSITIVE, fields=ROOT_FIELDS, allow_null=False),
    from_schema(GRAPHQL_SCHEMA, print_ast=lambda d: d, mode=Mode.POSITIVE),
    from_schema(GRAPHQL_SCHEMA, print_ast=lambda d: d, mode=Mode.NEGATIVE, fields=ROOT_FIELDS, allow_null=False),
    from_schema(GRAPHQL_SCHEMA, print_ast=lambda d: d, mode=Mode.NEGATIVE),
))
def test_drawn_documents(document: DocumentNode) -> None:
    # drawn documents are reparsed: the shortcut reads what a client would send
    text = print_ast(document)
    try:
        parsed = parse(text)
    except Exception:
        return
    assert not (provable(parsed) and full_errors(parsed)), text
