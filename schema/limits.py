"""Limits on GraphQL queries, and error codes shared with REST.

Depth and aliases use strawberry's own validation rules, and tokens the
parser's limit, all applied by one extension, ``Limits``, which also lets
documents that ``schema.validation`` proves valid skip graphql-core's
validation.  The cost limit is GitHub-style: every connection costs the number
of nodes it can return, that is its ``first`` times the ``first`` of every
connection above it.  Each limit answers with an error that names the limit
and its value, with ``extensions.code`` set to the same code REST problems use.

``code_errors`` is applied to every error the schema returns (parse,
validation, execution): it sets ``extensions.code``, rewrites the limiters'
terse messages, and hides the text of unexpected exceptions (logged instead).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from graphql.validation import ASTValidationRule, ValidationContext, specified_rules
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.types import ExecutionContext as StrawberryExecutionContext

from api.problems import ApiError
from db import queries
from schema.validation import provably_valid

log = logging.getLogger("gongkai")

MAX_DEPTH = 12
MAX_ALIASES = 20
MAX_TOKENS = 2000
MAX_COST = 20_000
MAX_FIRST = 100
MAX_NODES = 100  # ids accepted by nodes(ids:)


def limit_error(message: str, code: str, **extra: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extra})


# --- cost ---------------------------------------------------------------------------

def _int_arg(field: FieldNode, name: str, variables: Mapping[str, Any]) -> int | None:
    for arg in field.arguments or ():
        if arg.name.value != name:
            continue
        value = arg.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            v = variables.get(value.name.value)
            return v if isinstance(v, int) and not isinstance(v, bool) else None
        if isinstance(value, ListValueNode):
            return len(value.values)
    return None


def _list_arg_len(field: FieldNode, name: str, variables: Mapping[str, Any]) -> int | None:
    for arg in field.arguments or ():
        if arg.name.value == name:
            if isinstance(arg.value, ListValueNode):
                return len(arg.value.values)
            if isinstance(arg.value, VariableNode):
                v = variables.get(arg.value.name.value)
                return len(v) if isinstance(v, list) else None
    return None


class FirstOutOfRange(Exception):
    """A ``first`` (or a list of ids) outside 1…MAX_FIRST: rejected before the cost is even computed."""

    def __init__(self, field: str, size: int) -> None:
        super().__init__(f"{field}: first must be between 1 and {MAX_FIRST}, got {size}; paginate with after "
                         f"for more")
        self.size = size


def query_cost(operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode],
               variables: Mapping[str, Any]) -> int:
    """Nodes the operation can return: the sum over connections of the product of ``first`` down to them."""

    def walk(selection_set: SelectionSetNode | None, multiplier: int, seen: frozenset[str]) -> int:
        if selection_set is None:
            return 0
        total = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                size = _int_arg(sel, "first", variables)
                if size is None and sel.name.value == "nodes":
                    size = _list_arg_len(sel, "ids", variables)
                inner = multiplier
                if size is not None:
                    if not 1 <= size <= MAX_FIRST:
                        raise FirstOutOfRange(sel.name.value, size)
                    inner = multiplier * size
                    total += inner
                total += walk(sel.selection_set, inner, seen)
            elif isinstance(sel, InlineFragmentNode):
                total += walk(sel.selection_set, multiplier, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                frag = fragments.get(name)
                if frag is not None and name not in seen:
                    total += walk(frag.selection_set, multiplier, seen | {name})
        return total

    return walk(operation.selection_set, 1, frozenset())


def cost_error(ctx: StrawberryExecutionContext) -> GraphQLError | None:
    """The error for an operation whose cost exceeds ``MAX_COST`` (or with a ``first`` out of range), if any."""
    doc = ctx.graphql_document
    if doc is None:
        return None
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    if ctx.operation_name:
        ops = [o for o in ops if o.name and o.name.value == ctx.operation_name]
    if not ops:
        return None
    try:
        cost = query_cost(ops[0], fragments, ctx.variables or {})
    except FirstOutOfRange as exc:
        return limit_error(str(exc), "limit_out_of_range", maximum=MAX_FIRST)
    if cost > MAX_COST:
        return limit_error(f"query cost {cost} exceeds the cost limit of {MAX_COST} (cost: each connection's "
                           f"`first` times the `first` of the connections above it); ask for fewer items or "
                           f"paginate", "query_too_costly", limit=MAX_COST, cost=cost)
    return None


_DepthRule: type[ASTValidationRule] = QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules[0]


class DepthRule(_DepthRule):  # type: ignore[misc, valid-type]
    """strawberry's depth rule, which raises KeyError on a spread of an unknown fragment.

    That document is invalid anyway (KnownFragmentNamesRule says so); without
    this, the KeyError would answer an internal error instead.
    """

    def __init__(self, context: ValidationContext) -> None:
        try:
            super().__init__(context)
        except KeyError:
            ASTValidationRule.__init__(self, context)


# strawberry's own depth and alias rules (their messages are what _code below recognises), built once
LIMIT_RULES: tuple[type[ASTValidationRule], ...] = (
    DepthRule,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)
KNOWN_RULES = frozenset(specified_rules) | frozenset(LIMIT_RULES)


class Limits(SchemaExtension):
    """Every limit, in one extension that strawberry constructs per request (so it sees only that request).

    * on_operation: the token limit for the parser, and the depth and alias validation rules;
    * on_validate: documents ``schema.validation`` proves valid (depth and aliases included) skip
      graphql-core's validation, which costs more than executing a typical query; any other document is
      validated in full, so every validation error is graphql-core's or the limiters' as before;
    * on_execute: the cost limit, before anything runs.
    """

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.parse_options["max_tokens"] = MAX_TOKENS
        ctx.validation_rules = (*ctx.validation_rules, *LIMIT_RULES)
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if (ctx.pre_execution_errors is None and document is not None and KNOWN_RULES.issuperset(ctx.validation_rules)
                and provably_valid(ctx.schema._schema, document, max_depth=MAX_DEPTH, max_aliases=MAX_ALIASES)):
            ctx.pre_execution_errors = []  # strawberry then skips its own (strawberry.schema.schema._run_validation)
        yield

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        error = cost_error(ctx)
        if error is not None:
            ctx.result = GraphQLExecutionResult(data=None, errors=[error])
        yield


def extensions() -> list[Any]:
    return [Limits]


# --- error codes -----------------------------------------------------------------------

DEPTH = re.compile(r"exceeds maximum operation depth of (\d+)")
ALIASES = re.compile(r"(\d+) aliases found\. Allowed: (\d+)")
TOKENS = re.compile(r"more than (\d+) tokens")
UNKNOWN_FIELD = re.compile(r"^Cannot query field ")
UNKNOWN_ARGUMENT = re.compile(r"^Unknown argument ")
MISSING = re.compile(r"is required, but it was not provided|of required type '[^']+' was not provided")
BAD_VALUE = re.compile(r"^(Variable '\$\w+' (got|has) invalid value|Variable '\$\w+' of required type|"
                       r"Int cannot represent|String cannot represent|Float cannot represent|"
                       r"Boolean cannot represent|ID cannot represent|Expected value of type|"
                       r"Field '\w+' of required type|Enum '\w+' cannot represent|Value cannot represent)")


def _code(error: GraphQLError) -> tuple[str, str | None, dict[str, Any]]:
    """(code, replacement message or None, extra extension members) for one error."""
    original = error.original_error
    if isinstance(original, queries.QueryError):
        return original.code, None, dict(original.extra)
    if isinstance(original, ApiError):
        return original.code, None, dict(original.extra)
    if error.extensions and "code" in error.extensions:
        return str(error.extensions["code"]), None, {}
    message = error.message
    if isinstance(error, GraphQLSyntaxError) or isinstance(original, GraphQLSyntaxError):
        m = TOKENS.search(message)
        if m:
            return "too_many_tokens", (f"the document has more than {m.group(1)} tokens, the token limit "
                                       f"(MaxTokensLimiter) is {MAX_TOKENS}"), {"limit": MAX_TOKENS}
        return "graphql_parse_failed", None, {}
    m = DEPTH.search(message)
    if m:
        return "query_too_deep", (f"query depth exceeds the depth limit of {m.group(1)} (QueryDepthLimiter); "
                                  "nest fewer levels"), {"limit": int(m.group(1))}
    m = ALIASES.search(message)
    if m:
        return "too_many_aliases", (f"{m.group(1)} aliases found, the alias limit (MaxAliasesLimiter) is "
                                    f"{m.group(2)}"), {"limit": int(m.group(2))}
    if UNKNOWN_FIELD.search(message):
        return "unknown_field", None, {}
    if UNKNOWN_ARGUMENT.search(message):
        return "unknown_parameter", None, {}
    if MISSING.search(message):
        return "missing_parameter", None, {}
    if BAD_VALUE.search(message):
        return "invalid_parameter", None, {}
    if original is not None and not isinstance(original, GraphQLError):
        log.error("unhandled GraphQL error", exc_info=original)
        return "internal_error", "an internal error occurred; it has been logged", {}
    if error.path is None:
        return "graphql_validation_failed", None, {}
    return "internal_error", None, {}


def code_errors(errors: list[GraphQLError]) -> None:
    for error in errors:
        code, message, extra = _code(error)
        if message is not None:
            error.message = message
        error.extensions = {**(error.extensions or {}), "code": code, **extra}
