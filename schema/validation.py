"""A one-pass proof that a simple GraphQL document is valid, so graphql-core's validation can be skipped.

graphql-core validates a document by running ~30 rule visitors in parallel over
it with a ``TypeInfo``, and several rules key caches by AST node, whose
dataclass hash walks the whole subtree: for a 100-token query that is ~3 ms,
more than executing it.  Almost every query clients send is *simple*: one
query operation of fields, arguments, variables and ``@include``/``@skip``,
without fragments, duplicate response names, introspection or null literals.
For those, ``provably_valid`` checks every rule that can apply in one
recursive walk, reusing graphql-core's own helpers for the type-dependent
parts (``validate_input_literal`` for literals, ``allowed_variable_usage`` for
variable positions, ``is_required_argument``).

It only ever answers "valid" or "don't know": anything outside the subset,
and anything that would be an error, answers "don't know" and the document is
validated by graphql-core as before, so every error (and its message) still
comes from graphql-core and the limiters.  The depth and alias limits are
checked here too (conservatively: a document close to a limit is left to the
limiters).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    GraphQLArgument,
    GraphQLIncludeDirective,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_input_type,
    is_leaf_type,
    is_required_argument,
)
from graphql.pyutils import Undefined
from graphql.utilities import type_from_ast
from graphql.utilities.validate_input_value import validate_input_literal
from graphql.validation.rules.variables_in_allowed_position import allowed_variable_usage
from strawberry.schema.schema_converter import GraphQLCoreConverter

__all__ = ["NotProvable", "provably_valid"]

_DIRECTIVES = {"include": GraphQLIncludeDirective, "skip": GraphQLSkipDirective}


class NotProvable(Exception):
    """The document is outside the simple subset, or breaks a rule: graphql-core must validate it."""


def _refuse(error: Any = None, _path: Any = None) -> None:
    raise NotProvable


def _location_default(definition: Any) -> Any:
    """The default value ``TypeInfo`` reports for an argument or input field position."""
    return definition.default if definition.default is not None else definition.default_value


class _Walk:
    def __init__(self, schema: GraphQLSchema, max_depth: int, max_aliases: int) -> None:
        self.schema = schema
        self.max_depth = max_depth
        self.max_aliases = max_aliases
        self.aliases = 0
        self.variables: dict[str, tuple[VariableDefinitionNode, GraphQLInputType]] = {}
        self.used: set[str] = set()

    def document(self, document: DocumentNode) -> None:
        definitions = document.definitions
        if len(definitions) != 1:
            raise NotProvable
        op = definitions[0]
        if not isinstance(op, OperationDefinitionNode) or op.operation is not OperationType.QUERY or op.directives:
            raise NotProvable
        root = self.schema.query_type
        if root is None:
            raise NotProvable
        for definition in op.variable_definitions or ():
            self.variable_definition(definition)
        self.selection_set(op.selection_set, root, 0)
        if self.used != self.variables.keys() or self.aliases > self.max_aliases:
            raise NotProvable

    def variable_definition(self, definition: VariableDefinitionNode) -> None:
        """UniqueVariableNames, KnownTypeNames, VariablesAreInputTypes, ValuesOfCorrectType (default)."""
        name = definition.variable.name.value
        if definition.directives or name in self.variables:
            raise NotProvable
        type_ = type_from_ast(self.schema, definition.type)
        if type_ is None or not is_input_type(type_):
            raise NotProvable
        default = definition.default_value
        if default is not None:
            self.literal(default, type_)
        self.variables[name] = (definition, type_)  # type: ignore[assignment]

    def selection_set(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, level: int) -> None:
        """Fields only (no fragments), each response name once (so nothing can overlap), depth in bounds."""
        if selection_set is None or not selection_set.selections or level >= self.max_depth:
            raise NotProvable
        seen: set[str] = set()
        for selection in selection_set.selections:
            if not isinstance(selection, FieldNode):
                raise NotProvable
            response_name = (selection.alias or selection.name).value
            if response_name in seen:
                raise NotProvable
            seen.add(response_name)
            if selection.alias is not None:
                self.aliases += 1
            self.field(selection, parent, level)

    def field(self, node: FieldNode, parent: GraphQLNamedType, level: int) -> None:
        """FieldsOnCorrectType, ScalarLeafs, arguments and directives of one field."""
        self.directives(node.directives)
        name = node.name.value
        if name.startswith("__"):
            if name != "__typename" or node.arguments or node.selection_set is not None:
                raise NotProvable
            return
        if not isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            raise NotProvable
        definition = parent.fields.get(name)
        if definition is None:
            raise NotProvable
        self.arguments(node, definition.args)
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            if node.selection_set is not None:
                raise NotProvable
        else:
            self.selection_set(node.selection_set, named, level + 1)

    def directives(self, directives: Collection[DirectiveNode] | None) -> None:
        """KnownDirectives and UniqueDirectivesPerLocation: only @include and @skip, once each."""
        seen: set[str] = set()
        for node in directives or ():
            name = node.name.value
            directive = _DIRECTIVES.get(name)
            if directive is None or name in seen or self.schema.get_directive(name) is not directive:
                raise NotProvable
            seen.add(name)
            self.arguments(node, directive.args)

    def arguments(self, node: FieldNode | DirectiveNode, definitions: dict[str, GraphQLArgument]) -> None:
        """KnownArgumentNames, UniqueArgumentNames, ProvidedRequiredArguments, values."""
        seen: set[str] = set()
        for argument in node.arguments or ():
            name = argument.name.value
            definition = definitions.get(name)
            if definition is None or name in seen:
                raise NotProvable
            seen.add(name)
            if isinstance(argument.value, VariableNode):
                self.value(argument.value, definition.type, _location_default(definition))
            else:
                self.literal(argument.value, definition.type)
        for name, definition in definitions.items():
            if name not in seen and is_required_argument(definition):
                raise NotProvable

    def literal(self, node: ValueNode, type_: GraphQLInputType) -> None:
        """ValuesOfCorrectType (graphql-core's own check), then the variables and objects inside."""
        validate_input_literal(node, type_, _refuse)
        self.value(node, type_, Undefined)

    def value(self, node: ValueNode, type_: GraphQLInputType, location_default: Any) -> None:
        """Variables (defined, allowed in their position), input objects; no null (strawberry's Maybe rule)."""
        if isinstance(node, VariableNode):
            name = node.name.value
            found = self.variables.get(name)
            if found is None:
                raise NotProvable
            self.used.add(name)
            definition, var_type = found
            if not allowed_variable_usage(self.schema, var_type, definition.default_value, type_, location_default):
                raise NotProvable
        elif isinstance(node, NullValueNode):
            raise NotProvable
        elif isinstance(node, ListValueNode):
            list_type = get_nullable_type(type_)
            if not isinstance(list_type, GraphQLList):
                raise NotProvable
            for item in node.values:
                self.value(item, list_type.of_type, Undefined)
        elif isinstance(node, ObjectValueNode):
            self.object_value(node, get_nullable_type(type_))

    def object_value(self, node: ObjectValueNode, type_: Any) -> None:
        """UniqueInputFieldNames and known fields; OneOf inputs are left to the full rules."""
        if not isinstance(type_, GraphQLInputObjectType) or type_.is_one_of:
            raise NotProvable
        definition = (type_.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if getattr(definition, "is_one_of", False):
            raise NotProvable
        seen: set[str] = set()
        for field in node.fields:
            name = field.name.value
            input_field = type_.fields.get(name)
            if input_field is None or name in seen:
                raise NotProvable
            seen.add(name)
            self.value(field.value, input_field.type, _location_default(input_field))


def provably_valid(schema: GraphQLSchema, document: DocumentNode, *, max_depth: int, max_aliases: int) -> bool:
    """True only if the document is simple and passes every validation rule (and the depth and alias limits)."""
    try:
        _Walk(schema, max_depth, max_aliases).document(document)
    except Exception:  # NotProvable, or anything graphql-core's validation should meet and report itself
        return False
    return True
