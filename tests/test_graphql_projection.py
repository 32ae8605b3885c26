"""The projecting executor (schema.projection) answers exactly what graphql-core's own execution answers.

Every query runs twice, through a schema with ``ProjectingExecutor`` and
through the same schema with strawberry's default executor, and the two
answers must be identical: the data serialized in order, every error with its
message, path and locations.  First on a small schema with hand-made values
(including the wrong ones: a null in a non-null field, a number out of range,
a tuple for a list, an awaitable, an exception), then on the real schema over
the bundled reports.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any, NewType

import pytest
import strawberry
from graphql import GraphQLError
from graphql.pyutils import Undefined
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from schema.projection import ProjectingExecutor, passthrough, plan_cache_clear

# --- a small schema ----------------------------------------------------------------------------


@strawberry.enum
class Color(Enum):
    RED = "red"
    BLUE = "blue"


Amount = NewType("Amount", float)


@passthrough(int, float)
def _amount_out(value: Any) -> Any:
    return value


AMOUNT = strawberry.scalar(name="Amount", serialize=_amount_out, parse_value=lambda v: v)


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Leaf(Named):
    name: str
    size: int | None
    tags: list[str]
    color: Color
    amount: Amount | None
    from_: str | None = strawberry.field(name="from", default=None)

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@strawberry.type
class Pair:
    key: str
    value: int


@strawberry.type
class Box:
    title: str
    leaves: list[Leaf]
    maybe: Leaf | None
    grid: list[list[int | None]] | None
    first: Leaf
    pairs: list[Pair] | None

    @strawberry.field
    async def later(self) -> list[Pair]:
        await asyncio.sleep(0)
        return list(self.pairs or [])

    @strawberry.field
    def some(self) -> list[Pair | None] | None:
        return self.pairs  # type: ignore[return-value]


DATA: dict[str, Callable[[], Any]] = {}


@strawberry.type
class Query:
    @strawberry.field
    def boxes(self) -> list[Box]:
        return DATA["boxes"]()  # type: ignore[no-any-return]

    @strawberry.field
    async def box(self) -> Box | None:
        return DATA["box"]()  # type: ignore[no-any-return]

    @strawberry.field
    def named(self) -> list[Named]:
        return DATA["named"]()  # type: ignore[no-any-return]

    @strawberry.field
    def strict(self) -> Box:
        return DATA["box"]()  # type: ignore[no-any-return]


CONFIG = StrawberryConfig(scalar_map={Amount: AMOUNT})
FAST = strawberry.Schema(Query, types=[Leaf], config=CONFIG, execution_context_class=ProjectingExecutor)
SLOW = strawberry.Schema(Query, types=[Leaf], config=CONFIG)


def leaf(name: Any = "a", **kw: Any) -> Leaf:
    values: dict[str, Any] = {"size": 1, "tags": ["x", "y"], "color": Color.RED, "amount": 1.5, **kw}
    return Leaf(name=name, **values)


def box(**kw: Any) -> Box:
    values: dict[str, Any] = {"title": "t", "leaves": [leaf("a"), leaf("b", size=None, amount=None)],
                              "maybe": None, "grid": [[1, None], []], "first": leaf("f"),
                              "pairs": [Pair(key="k", value=2)], **kw}
    return Box(**values)


def answer(schema: strawberry.Schema, query: str, variables: dict[str, Any] | None = None) -> tuple[str, Any]:
    result = asyncio.run(schema.execute(query, variable_values=variables))
    errors = [json.dumps(e.formatted, sort_keys=True) for e in result.errors or []]
    return json.dumps(result.data), errors


def same(query: str, variables: dict[str, Any] | None = None, **data: Callable[[], Any]) -> tuple[str, Any]:
    DATA.clear()
    DATA.update({"boxes": lambda: [box(), box(title="u")], "box": box, "named": lambda: [leaf()]})
    DATA.update(data)
    fast = answer(FAST, query, variables)
    slow = answer(SLOW, query, variables)
    assert fast == slow
    return fast


ALL = "title leaves { name size tags color amount from } maybe { name } grid first { name } pairs { key value }"


@pytest.fixture(autouse=True)
def _fresh_plans() -> Iterator[None]:
    plan_cache_clear()
    yield
    plan_cache_clear()


@pytest.mark.parametrize("query", [
    "{ boxes { " + ALL + " } }",
    "{ box { " + ALL + " } }",
    "{ boxes { t: title t2: title leaves { n: name name } } }",
    "{ boxes { __typename leaves { __typename name } first { __typename } } }",
    "{ boxes { ...B } } fragment B on Box { title first { ...L } leaves { ...L } } fragment L on Leaf { name size }",
    "{ boxes { ... on Box { title } leaves { ... on Named { name } ... on Leaf { tags } } } }",
    "{ boxes { title leaves { name } leaves { size tags } } }",
    "{ boxes { title later { key } leaves { name shout } } }",
    "{ named { name ... on Leaf { size color } } }",
    "{ strict { first { name } } }",
])
def test_same_answers(query: str) -> None:
    data, errors = same(query)
    assert data != "null" and not errors


@pytest.mark.parametrize(("include", "skip"), [(True, False), (False, True), (True, True), (False, False)])
def test_include_and_skip_with_variables(include: bool, skip: bool) -> None:
    query = """query($i: Boolean!, $s: Boolean!) { boxes { title @include(if: $i) leaves { name @skip(if: $s)
        size @include(if: $i) @skip(if: $s) } first @skip(if: $s) { name } } }"""
    same(query, {"i": include, "s": skip})


@pytest.mark.parametrize(("data", "query"), [
    ({"boxes": lambda: [box(leaves=[leaf(None)])]}, "{ boxes { title leaves { name size } } }"),
    ({"box": lambda: box(leaves=[leaf(None)])}, "{ box { title leaves { name size } } }"),
    ({"box": lambda: box(leaves=[leaf(None)])}, "{ strict { title leaves { name } } }"),
    ({"box": lambda: box(first=None)}, "{ box { title first { name } } }"),
    ({"box": lambda: box(title=None)}, "{ box { title } }"),
    ({"box": lambda: box(leaves=None)}, "{ box { leaves { name } } }"),
    ({"box": lambda: box(leaves=[leaf(), None])}, "{ box { leaves { name } } }"),
    ({"box": lambda: box(leaves=(leaf(), leaf("z")))}, "{ box { leaves { name } } }"),
    ({"box": lambda: box(leaves="abc")}, "{ box { leaves { name } } }"),
    ({"box": lambda: box(first=leaf(size=2**40))}, "{ box { first { size } } }"),
    ({"box": lambda: box(first=leaf(size="12"))}, "{ box { first { size } } }"),
    ({"box": lambda: box(first=leaf(size=True))}, "{ box { first { size } } }"),
    ({"box": lambda: box(first=leaf(size=1.0))}, "{ box { first { size } } }"),
    ({"box": lambda: box(first=leaf(size=1.5))}, "{ box { first { size } } }"),
    ({"box": lambda: box(first=leaf(7))}, "{ box { first { name } } }"),
    ({"box": lambda: box(first=leaf(tags=[1, None]))}, "{ box { first { tags } } }"),
    ({"box": lambda: box(first=leaf(color="red"))}, "{ box { first { color } } }"),
    ({"box": lambda: box(first=leaf(color=Color.BLUE))}, "{ box { first { color } } }"),
    ({"box": lambda: box(first=leaf(color="green"))}, "{ box { first { color } } }"),
    ({"box": lambda: box(first=leaf(amount=True))}, "{ box { first { amount } } }"),
    ({"box": lambda: box(first=leaf(amount=Undefined))}, "{ box { first { amount } } }"),
    ({"box": lambda: box(first=leaf(size=Undefined))}, "{ box { first { size } } }"),
    ({"box": lambda: box(maybe=Undefined)}, "{ box { maybe { name } } }"),
    ({"box": lambda: box(maybe=Pair(key="k", value=1))}, "{ box { maybe { name } } }"),
    ({"box": lambda: box(first=ValueError("boom"))}, "{ box { first { name } } }"),
    ({"box": lambda: box(title=ValueError("boom"))}, "{ box { title } }"),
    ({"box": lambda: box(grid=[[1, "2", None], None])}, "{ box { grid } }"),
    ({"box": lambda: box(grid=[[2**40]])}, "{ box { grid } }"),
    # deliberately bad data: nulls where the schema promises non-null
    ({"box": lambda: box(pairs=[Pair(key="k", value=None)])},  # type: ignore[arg-type]
     "{ box { title pairs { key value } } }"),
    ({"box": lambda: box(pairs=[Pair(key="k", value=None)])},  # type: ignore[arg-type]
     "{ box { title later { key value } } }"),
    ({"box": lambda: box(pairs=[Pair(key="k", value=1), None])}, "{ box { title later { key } some { key } } }"),
    ({"box": lambda: box(pairs=[None, Pair(key=None, value=1)])},  # type: ignore[arg-type]
     "{ box { title some { key value } } }"),
    ({"box": lambda: box(pairs=(Pair(key="k", value=1),))}, "{ box { title later { key } some { key } } }"),
    ({"box": lambda: box(pairs=[leaf()])}, "{ box { title later { key } } }"),
    ({"box": lambda: box(pairs=[Undefined])}, "{ box { title some { key } } }"),
])
def test_same_errors(data: dict[str, Callable[[], Any]], query: str) -> None:
    same(query, None, **data)  # type: ignore[arg-type]  # data never holds "variables"


def test_awaitable_values_are_awaited_as_before() -> None:
    async def title() -> str:
        return "awaited"

    data, errors = same("{ box { title first { name } } }", box=lambda: box(title=title()))
    assert json.loads(data)["box"]["title"] == "awaited" and not errors


def test_plain_selections_are_projected_without_execute_field(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = ProjectingExecutor.execute_field

    def spy(self: ProjectingExecutor, parent_type: Any, *args: Any) -> Any:
        calls.append(parent_type.name)
        return original(self, parent_type, *args)

    monkeypatch.setattr(ProjectingExecutor, "execute_field", spy)
    same("{ boxes { " + ALL + " } }")
    assert calls == ["Query"]
    calls.clear()
    # 2 boxes, each with 2 leaves: the resolvers (later, shout), the list holding a resolver (leaves), and only them
    same("{ boxes { title later { key } leaves { name shout } } }")
    assert sorted(calls) == ["Box"] * 4 + ["Leaf"] * 4 + ["Query"]


def test_a_middleware_turns_projection_off() -> None:
    class Upper(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            value = _next(root, info, *args, **kwargs)
            return value.upper() if isinstance(value, str) else value

    kwargs: dict[str, Any] = {"types": [Leaf], "config": CONFIG, "extensions": [Upper]}
    fast = strawberry.Schema(Query, execution_context_class=ProjectingExecutor, **kwargs)
    slow = strawberry.Schema(Query, **kwargs)
    DATA.update({"boxes": lambda: [box()]})
    assert answer(fast, "{ boxes { title } }") == answer(slow, "{ boxes { title } }") == ('{"boxes": [{"title": "T"}]}',
                                                                                          [])


# --- the real schema on the bundled reports ------------------------------------------------------

REAL_QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("""query Obs($metric: String!, $year: Int!) { observations(first: 100, filter: {metric: $metric, year: $year})
        { edges { node { databaseId reportId publisherId year metric dims { name value } value unit qualifier status
        candidates label note provenance { section sectionTitle quote start end } } } pageInfo { endCursor
        hasNextPage } } }""", {"metric": "applications.received", "year": 2017}),
    ("""{ observations(first: 50) { totalCount edges { cursor n: node { __typename id databaseId v: value
        dims { name } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }""", {}),
    ("""query($i: Boolean!) { reports(first: 3) { edges { node { ...R } } } }
        fragment R on Report { databaseId year format title printedPublisher source { url sha256 mediaType }
        publisher { name level province names { name firstYear lastYear } }
        sections { title depth children { title children { title number inferredNumber } } }
        observations @include(if: $i) { databaseId value candidates provenance { quote } }
        statements { metric delta verification { result claimed { value quote } recorded { value } } }
        checks { rule left { value source } right { value } } }""", {"i": True}),
    ("""query($i: Boolean!) { reports(first: 3) { edges { node { databaseId
        observations @include(if: $i) { databaseId } } } } }""", {"i": False}),
    ("""{ publishers(first: 20) { edges { node { id databaseId name level province regionCode
        parent { name } children { name } reports(first: 2) { edges { node { year } } } } } } }""", {}),
    ("""{ metrics { id code category labelZh labelEn label(lang: EN) description unit dims formats templateRef }
        categories { code metrics { code } } dimensions { name members { code labelZh label(lang: ZH) } } }""", {}),
    ("""{ checks(first: 30) { edges { node { __typename databaseId rule result notable detail year
        left { value source start end } right { value source start end } report { year } } } } }""", {}),
    ("""{ deltas(first: 30) { edges { node { publisherId metric dims { name value } year value qualifier baseYear
        baseValue change percentChange gapYears approx definitionChanged conflict } } } }""", {}),
]


@pytest.fixture
def real_schemas(loaded_db: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    monkeypatch.setenv("GONGKAI_DATABASE_URL", loaded_db)
    from schema import graphql as g
    from schema.limits import Limits

    class FullValidation(Limits):
        def on_validate(self) -> Iterator[None]:
            yield

    reference = g.GongkaiSchema(query=g.Query, types=[g.Publisher, g.Report, g.Section, g.Observation, g.Statement,
                                                      g.Check, g.Metric, g.Category],
                                extensions=[FullValidation], config=StrawberryConfig(scalar_map={g.Number: g.NUMBER}))
    return g.schema, reference


def real_answer(schema: Any, query: str, variables: dict[str, Any]) -> tuple[str, list[str]]:
    from schema.context import Context, LazyConnection

    db = LazyConnection()
    try:
        result = asyncio.run(schema.execute(query, variable_values=variables,
                                            context_value=Context(request=None, response=None, db=db)))
    finally:
        db.close()
    return json.dumps(result.data, ensure_ascii=False), [json.dumps(e.formatted) for e in result.errors or []]


@pytest.mark.parametrize(("query", "variables"), REAL_QUERIES)
def test_real_schema_same_answers(real_schemas: tuple[Any, Any], query: str, variables: dict[str, Any]) -> None:
    fast, reference = real_schemas
    answer_fast = real_answer(fast, query, variables)
    assert answer_fast == real_answer(reference, query, variables)
    assert not answer_fast[1] and len(answer_fast[0]) > 100


def test_real_schema_errors_are_unchanged(real_schemas: tuple[Any, Any]) -> None:
    fast, reference = real_schemas
    for query in ["{ observations(first: 1000) { edges { node { id } } } }", "{ observations { edges { node } } }",
                  '{ node(id: "nope") { id } }', "{ report(id: \"x\") { year publisher { name } } }"]:
        assert real_answer(fast, query, {}) == real_answer(reference, query, {})


def test_projection_errors_are_graphql_errors() -> None:
    """A value the projection refuses is reported by graphql-core, as a GraphQLError with a path."""
    DATA.update({"box": lambda: box(first=None)})
    result = asyncio.run(FAST.execute("{ box { first { name } } }"))
    assert result.data == {"box": None}
    assert result.errors and isinstance(result.errors[0], GraphQLError)
    assert result.errors[0].path == ["box", "first"]
