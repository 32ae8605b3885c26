"""Fast completion of plain GraphQL objects: results built by direct projection.

graphql-core completes every field of every object through ``execute_field``:
resolve info, resolver wrapper, ``complete_value`` and its type dispatch, about
ten Python calls per field.  A page of 100 observations is ≈2,400 fields, and
completing them that way costs several times the SQL that fetched the rows.
Most of those fields are *plain*: strawberry fields without a resolver, whose
value is ``getattr(source, python_name)``, typed as a scalar, an enum, or
lists and objects of plain fields.  ``ProjectingExecutor`` reads them with
generated code instead and leaves every other field to graphql-core: an
object whose selection is all plain (a connection's edges, nodes, dims,
provenance, page info) is built in one call; in an object that also selects
fields with resolvers, the plain fields are read first and graphql-core
resolves the others, in the same order and with the same paths as before.
The generated code is compiled once per selection shape (``Shape``) and found
again by the text of the selection (``text_key``), so a query never seen
before costs a lookup, not a compilation.

Exactness is kept by refusing rather than guessing: the generated code only
accepts values whose completion is trivially known (a ``str`` for ``String``,
an ``int`` in range for ``Int``, a ``list`` for a list, an object of a class
that is neither awaitable nor an exception and passes ``is_type_of``), and
otherwise runs the scalar's own coercion.  Anything else (None in a non-null
position, a failed coercion, an unexpected class) raises inside the projection,
and the object is then completed by graphql-core's normal path, which reports
the error exactly as it always has.  Projection only reads attributes and
coerces scalars, so trying it first and falling back has no side effects.

Assumptions (true of this schema): whether a value is awaitable is a
property of its class, so classes are checked once and remembered; and a
resolver does not change attributes of its own source object (which would be
read before the resolver runs, not after as graphql-core does).
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from types import CoroutineType, GeneratorType
from typing import Any, NamedTuple

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    get_named_type,
    is_leaf_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, Undefined, gather_with_cancel, is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

__all__ = ["ProjectingExecutor", "Shape", "passthrough", "plan_cache_clear"]

TYPENAME = "__typename"
LEAF = "leaf"


class Shape(NamedTuple):
    """A selection set on one object type, as far as completion is concerned.

    ``fields`` holds ``(response name, field name, kind)`` in response order,
    where kind is ``TYPENAME``, ``LEAF``, the ``Shape`` of a plain object
    field's selection, or ``None`` for a field graphql-core must resolve.
    Every query asking for the same fields of the same types under the same
    response names shares one compiled projector, whatever its spacing,
    comments, fragments or variables.
    """

    type_name: str
    fields: tuple[tuple[str, str, Any], ...]

    @property
    def plain(self) -> bool:
        return all(kind is not None for _, _, kind in self.fields)


class Plan(NamedTuple):
    """The compiled projectors of a shape.

    If every field is plain: ``full`` completes an object graphql-core has
    already checked, ``checked`` one it has not (a list item: it checks the
    class and ``is_type_of`` first).  Otherwise ``partial`` reads the plain
    fields only.
    """

    full: Callable[[Any], dict[str, Any]] | None
    checked: Callable[[Any], dict[str, Any]] | None
    partial: Callable[[Any], dict[str, Any]] | None


class Fallback(Exception):
    """Raised inside a projection: this object must be completed by graphql-core's normal path."""


# --- runtime helpers used by the generated code ---------------------------------------------

_SAFE_CLASSES: set[type] = set()


def _check_object(value: Any) -> None:
    """Accept an object value (remembering its class) or refuse it.

    graphql-core raises for an exception value, awaits an awaitable one, and
    nulls None/Undefined; none of that is projection's business.
    """
    cls = value.__class__
    if (value is None or value is Undefined or isinstance(value, BaseException) or is_awaitable(value)
            or cls in (CoroutineType, GeneratorType) or hasattr(cls, "__await__")):
        raise Fallback
    _SAFE_CLASSES.add(cls)


def _leaf(coerce: Callable[[Any], Any], value: Any, nullable: bool) -> Any:
    """Complete a scalar or enum value the slow way, as ``complete_leaf_value`` would, or refuse."""
    if value is None or value is Undefined:
        if nullable:
            return None
        raise Fallback
    if isinstance(value, BaseException) or is_awaitable(value):
        raise Fallback
    out = coerce(value)
    if out is None or out is Undefined or is_awaitable(out):
        raise Fallback
    return out


# --- which fields are plain -------------------------------------------------------------------

def plain_python_name(field: GraphQLField) -> str | None:
    """The attribute a field reads, if it is a strawberry field without resolver, extension or arguments."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field or field.args:
        return None
    # strawberry's resolver for such fields is ``getattr(source, python_name)`` (see from_resolver)
    if getattr(field.resolve, "__name__", None) != "_get_basic_result" or definition.default_resolver is not getattr:
        return None
    name = definition.python_name
    return name if isinstance(name, str) else None


# --- code generation ---------------------------------------------------------------------------

# A value of exactly this class completes to itself for this scalar (see graphql-core's serializers).
_FAST_CLASSES: dict[int, tuple[type, ...]] = {id(GraphQLString): (str,), id(GraphQLID): (str,),
                                               id(GraphQLInt): (int,), id(GraphQLBoolean): (bool,)}
_PASSTHROUGH: dict[Callable[[Any], Any], tuple[type, ...]] = {}


def passthrough(*classes: type) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Declare a custom scalar's serializer returns values of exactly these classes unchanged.

    Projection then copies such values instead of calling the serializer (any
    other value still goes through it).
    """
    def register(serialize: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _PASSTHROUGH[serialize] = classes
        return serialize
    return register


class _Compiler:
    """Generates the projector functions of one shape as Python source and compiles them.

    Objects of a list are completed by a function per shape; an object held
    directly by a field is completed inline, in the function of its parent.
    """

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.ns: dict[str, Any] = {"Fallback": Fallback, "SAFE": _SAFE_CLASSES, "check": _check_object,
                                   "leaf": _leaf}
        self.chunks: list[str] = []
        self.functions: dict[Shape, str] = {}
        self.counter = 0

    def _name(self, prefix: str, value: Any = None) -> str:
        self.counter += 1
        name = f"{prefix}{self.counter}"
        if value is not None:
            self.ns[name] = value
        return name

    def compile(self, shape: Shape) -> Plan:
        if shape.plain:
            full, checked = self._function(shape, prelude=False), self._checked(shape)
            self._exec(shape)
            return Plan(self.ns[full], self.ns[checked], None)
        partial = self._function(shape, prelude=False)
        self._exec(shape)
        return Plan(None, None, self.ns[partial])

    def _exec(self, shape: Shape) -> None:
        exec(compile("\n\n".join(self.chunks), f"<projection {shape.type_name}>", "exec"), self.ns)

    def _checked(self, shape: Shape) -> str:
        """The function completing an unchecked object of this shape (one per shape)."""
        name = self.functions.get(shape)
        if name is None:
            name = self.functions[shape] = self._function(shape, prelude=True)
        return name

    def _function(self, shape: Shape, *, prelude: bool) -> str:
        """Emit ``def f(x)`` returning the completed dict of ``x``'s plain fields (its own checks if ``prelude``)."""
        name = self._name("o" if prelude else "f")
        body = self._object(shape, "x", "r", prelude=prelude)
        self.chunks.append("\n".join([f"def {name}(x):", *("    " + line for line in body), "    return r"]))
        return name

    def _object(self, shape: Shape, src: str, out: str, *, prelude: bool) -> list[str]:
        """Statements setting ``out`` to the completed dict of object ``src`` (read fully before ``out`` is set)."""
        object_type = self.schema.get_type(shape.type_name)
        assert isinstance(object_type, GraphQLObjectType)
        lines = []
        if prelude:
            lines.append(f"if {src}.__class__ not in SAFE: check({src})")
            if object_type.is_type_of is not None:
                is_type_of = self._name("is_type_of", object_type.is_type_of)
                lines.append(f"if {is_type_of}({src}, None) is not True: raise Fallback")
        items: list[str] = []
        for i, (response_name, field_name, kind) in enumerate(shape.fields):
            if kind is None:
                continue
            if kind == TYPENAME:
                items.append(f"{response_name!r}: {shape.type_name!r}")
                continue
            field = object_type.fields[field_name]
            attr = plain_python_name(field)
            assert attr is not None
            v = f"{out}_{i}"
            if attr.isidentifier() and not keyword.iskeyword(attr) and not attr.startswith("__"):
                lines.append(f"{v} = {src}.{attr}")
            else:
                lines.append(f"{v} = getattr({src}, {attr!r})")
            lines.extend(self._complete(field.type, v, kind))
            items.append(f"{response_name!r}: {v}")
        lines.append(f"{out} = {{{', '.join(items)}}}")
        return lines

    def _complete(self, type_: GraphQLOutputType, v: str, kind: Any) -> list[str]:
        """Statements replacing variable ``v`` by its completed value of ``type_``, or raising Fallback."""
        nullable = not isinstance(type_, GraphQLNonNull)
        inner = type_ if nullable else type_.of_type  # type: ignore[union-attr]
        if isinstance(inner, GraphQLList):
            item = self._item(inner.of_type, kind)
            body = [f"if {v}.__class__ is not list: raise Fallback", f"{v} = [{item}(i) for i in {v}]"]
        elif is_leaf_type(inner):
            coerce = inner.coerce_output_value  # type: ignore[union-attr]
            classes = _FAST_CLASSES.get(id(inner)) or _PASSTHROUGH.get(coerce, ())
            slow = f"{v} = leaf({self._name('coerce', coerce)}, {v}, {nullable})"
            if not classes:
                return [f"if {v} is not None: {slow}" if nullable else slow]
            fast = " or ".join(f"{v}.__class__ is {self._name('cls', c)}" for c in classes)
            if inner is GraphQLInt:
                fast = f"{fast} and -2147483648 <= {v} <= 2147483647"
            return [f"if {v} is not None and not ({fast}): {slow}" if nullable else f"if not ({fast}): {slow}"]
        else:
            assert isinstance(kind, Shape)
            body = self._object(kind, v, v, prelude=True)
        return [f"if {v} is not None:", *("    " + line for line in body)] if nullable else body

    def _item(self, type_: GraphQLOutputType, kind: Any) -> str:
        """A function completing one list item of ``type_``."""
        if isinstance(type_, GraphQLNonNull) and is_object_type(type_.of_type):
            assert isinstance(kind, Shape)
            return self._checked(kind)
        name = self._name("item")
        lines = [f"def {name}(v):", *("    " + line for line in self._complete(type_, "v", kind)), "    return v"]
        self.chunks.append("\n".join(lines))
        return name


_PLANS: dict[tuple[int, Shape], tuple[GraphQLSchema, Plan]] = {}
MAX_PLANS = 512  # distinct selection shapes kept; beyond that the cache starts over


def compiled_plan(schema: GraphQLSchema, shape: Shape) -> Plan:
    """The projectors of a shape, compiled on first use (a few hundred µs) and then shared by all requests."""
    key = (id(schema), shape)
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is schema:
        return hit[1]
    plan = _Compiler(schema).compile(shape)
    if len(_PLANS) >= MAX_PLANS:
        _PLANS.clear()
    _PLANS[key] = (schema, plan)
    return plan


_BY_TEXT: dict[tuple[Any, ...], tuple[GraphQLSchema, Plan | None]] = {}


def text_key(parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> tuple[Any, ...] | None:
    """A key that determines a selection's shape, from the source text of its fields, when that is enough.

    Computing a shape collects every nested selection set; looking it up by
    text costs a few string slices.  The text of a field (alias, name,
    arguments, nested selections) determines its shape unless it contains a
    directive (``@``: a variable may decide it) or a fragment spread (``...``:
    the text is elsewhere); then, or without locations, there is no key.
    """
    key: list[Any] = [parent_type.name]
    for response_name, field_details_list in grouped_field_set.items():
        key.append(response_name)
        for details in field_details_list:
            loc = details.node.loc
            if loc is None:
                return None
            text = loc.source.body[loc.start:loc.end]
            if "@" in text or "..." in text:
                return None
            key.append(text)
        key.append(None)  # end of this response name's fields
    return tuple(key)


def plan_cache_clear() -> None:
    _PLANS.clear()
    _BY_TEXT.clear()


# --- the executor -----------------------------------------------------------------------------------

class ProjectingExecutor(StrawberryGraphQLCoreExecutionContext):
    """strawberry's graphql-core executor, completing plain fields by projection (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Middleware wraps every resolver, plain ones included: projection would bypass it.
        self.projecting = manager is None or not manager.middlewares
        self._plans: dict[int, tuple[GroupedFieldSet, Plan | None]] = {}
        self._shapes: dict[int, tuple[GroupedFieldSet, Shape]] = {}

    def shape_of(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> Shape:
        """The shape of a collected selection set (directives and fragments already applied)."""
        hit = self._shapes.get(id(grouped_field_set))
        if hit is not None and hit[0] is grouped_field_set:
            return hit[1]
        fields: list[tuple[str, str, Any]] = []
        for response_name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            field_name = node.name.value
            if field_name == TYPENAME:
                fields.append((response_name, field_name, TYPENAME))
                continue
            field = self.schema.get_field(parent_type, field_name)
            kind: Any = None
            if field is not None and not node.arguments and plain_python_name(field) is not None:
                named = get_named_type(field.type)
                if is_leaf_type(named):
                    kind = LEAF
                elif isinstance(named, GraphQLObjectType):
                    collected = self.collect_subfields(named, field_details_list)
                    if not collected.new_defer_usages:
                        sub = self.shape_of(named, collected.grouped_field_set)
                        kind = sub if sub.plain else None
            fields.append((response_name, field_name, kind))
        shape = Shape(parent_type.name, tuple(fields))
        self._shapes[id(grouped_field_set)] = (grouped_field_set, shape)
        return shape

    def plan_for(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> Plan | None:
        """The projectors for a selection set: once per request, and across requests by text or shape."""
        hit = self._plans.get(id(grouped_field_set))
        if hit is not None and hit[0] is grouped_field_set:
            return hit[1]
        key = text_key(parent_type, grouped_field_set)
        found = _BY_TEXT.get(key) if key is not None else None
        if found is not None and found[0] is self.schema:
            plan = found[1]
        else:
            shape = self.shape_of(parent_type, grouped_field_set)
            plan = compiled_plan(self.schema, shape) if any(k is not None for _, _, k in shape.fields) else None
            if key is not None:
                if len(_BY_TEXT) >= MAX_PLANS:
                    _BY_TEXT.clear()
                _BY_TEXT[key] = (self.schema, plan)
        self._plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def complete_list_value(self, return_type: GraphQLList[GraphQLOutputType], field_details_list: FieldDetailsList,
                            info: GraphQLResolveInfo, path: Path, result: Any, position_context: Any) -> Any:
        """A list of objects whose selection is all plain (as a resolver returns them): projected in one go."""
        item_type = return_type.of_type
        nullable = not isinstance(item_type, GraphQLNonNull)
        named = item_type if nullable else item_type.of_type  # type: ignore[union-attr]
        if (self.projecting and position_context is None and result.__class__ is list
                and isinstance(named, GraphQLObjectType)):
            collected = self.collect_subfields(named, field_details_list)
            plan = None if collected.new_defer_usages else self.plan_for(named, collected.grouped_field_set)
            checked = plan.checked if plan is not None else None
            if checked is not None:
                try:
                    if nullable:
                        return [None if item is None else checked(item) for item in result]
                    return [checked(item) for item in result]
                except Exception:  # any surprise: graphql-core completes the list and reports it
                    pass
        return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any, path: Path | None,
                       grouped_field_set: GroupedFieldSet, position_context: Any) -> Any:
        plan = (self.plan_for(parent_type, grouped_field_set)
                if self.projecting and position_context is None else None)
        if plan is None:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        try:
            if plan.full is not None:
                return plan.full(source_value)
            assert plan.partial is not None
            plain = plan.partial(source_value)
        except Exception:  # any surprise: graphql-core completes the object and reports it
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        return self._execute_rest(parent_type, source_value, path, grouped_field_set, plain)

    def _execute_rest(self, parent_type: GraphQLObjectType, source_value: Any, path: Path | None,
                      grouped_field_set: GroupedFieldSet, plain: dict[str, Any]) -> Any:
        """``Executor.execute_fields`` (graphql-core 3.3), with the plain fields' values already known."""
        results: dict[str, Any] = {}
        is_awaitable_ = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                if response_name in plain:
                    results[response_name] = plain[response_name]
                    continue
                result = self.execute_field(parent_type, source_value, field_details_list,
                                            Path(path, response_name, parent_type.name), None)
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable_(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()
