"""The emulator's OpenAPI 3.1 document, built from the endpoint table and the records.

Each operation comes from its :class:`~gradient_sdk._endpoints.Endpoint` row; each schema is
derived from an attrs record's fields (wire names from the converter's :func:`wire_name`,
types from the annotations, required-ness from defaults), the tagged unions from the
converter's own table, and the numeric bounds from the records' validators. So a field, a
union member or an operation added in one place appears here without anyone writing it
twice. The one shape written by hand is a sample's, which the converter also writes by hand.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Union

import attrs

from .. import records
from .._endpoints import BodyKind, Endpoint
from .._http import FILE_PART
from .._version import __version__
from .._wire import TAGGED_UNIONS, TaggedUnion, wire_name
from ..records import ErrorSchema, ErrorType, FineTuneRequest, Sample, StructuredInput
from ..records._validators import json_schema_of

Schema = dict[str, Any]

#: The bounds the records' validators enforce, keyed by (record, attribute name); read off
#: the validators themselves, so the document cannot drift from what the SDK checks.
FIELD_BOUNDS: Mapping[tuple[type[Any], str], Schema] = {
    (record, field.name): keywords
    for record in (
        value for value in vars(records).values() if isinstance(value, type) and attrs.has(value)
    )
    for field in attrs.fields(record)
    if (keywords := json_schema_of(field.validator))
}

_UNION_BY_TYPE: Mapping[Any, TaggedUnion] = {union.union: union for union in TAGGED_UNIONS}
#: The tag of each union member whose tag is not one of its fields (the chunkers').
_IMPLICIT_TAGS: Mapping[type[Any], tuple[str, str]] = {
    member: (union.tag, tag)
    for union in TAGGED_UNIONS
    for member, tag in union.members.items()
    if wire_name(member, union.tag) not in {wire_name(member, f.name) for f in attrs.fields(member)}
}

_STATUS_DESCRIPTIONS = {
    400: "The request is malformed: bad JSON, wrong types, a missing workspace header.",
    401: "The access token is missing or wrong.",
    403: "The access token may not act in this workspace.",
    404: "No such model, adapter, collection, file or job in this workspace.",
    413: "The request body is larger than the emulator accepts.",
    422: "The request is well formed but cannot be done (context window, limits, content).",
    501: "The emulator does not implement this operation yet.",
}


def openapi_document(
    endpoints: Iterable[Endpoint[Any, Any]],
    *,
    implemented: Collection[str],
    max_samples_per_fine_tune: int,
    examples: Mapping[str, Sequence[str]],
) -> Schema:
    """The OpenAPI 3.1 document of the endpoint table as the emulator serves it.

    Operations whose id is not in ``implemented`` are documented as answering 501.
    ``examples`` gives example values of path parameters and body fields by name (the base
    model's id, the embeddings slugs), so a fuzzer reaches past "not found".
    """
    rows = list(endpoints)
    builder = _SchemaBuilder(max_samples_per_fine_tune=max_samples_per_fine_tune, examples=examples)
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in rows:
        document = _operation(endpoint, builder, examples, endpoint.operation_id in implemented)
        if endpoint.creates is not None and "200" in document["responses"]:
            document["responses"]["200"]["links"] = _links(endpoint, rows)
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = document
    schemas = dict(sorted(builder.components.items()))
    schemas["Error"] = {
        "type": "object",
        "properties": {"message": {"type": "string", "minLength": 1}},
        "required": ["message"],
    }
    schemas["ModelError"] = {
        "type": "object",
        "properties": {
            "message": {"type": "string", "minLength": 1},
            "type": {"type": "string", "enum": [kind.value for kind in ErrorType]},
            "payload": {},
        },
        "required": ["message", "type"],
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Gradient API (gradient-sdk emulator)",
            "version": __version__,
            "description": (
                "The Gradient API as the gradient-sdk emulator serves it: models, adapters, "
                "completions, fine-tuning, embeddings, files, RAG collections and blocks."
            ),
        },
        "servers": [{"url": "/api"}],
        "security": [{"AccessToken": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"AccessToken": {"type": "http", "scheme": "bearer"}},
            "parameters": {
                "WorkspaceId": {
                    "name": "x-gradient-workspace-id",
                    "in": "header",
                    "required": True,
                    "description": "The workspace to act in; the access token must own it.",
                    "schema": {"type": "string", "minLength": 1},
                }
            },
        },
    }


def _operation(
    endpoint: Endpoint[Any, Any],
    builder: _SchemaBuilder,
    examples: Mapping[str, Sequence[str]],
    implemented: bool,
) -> Schema:
    parameters: list[Schema] = [{"$ref": "#/components/parameters/WorkspaceId"}]
    for path_parameter in endpoint.path_parameters:
        schema = dict(path_parameter.schema)
        parameter: Schema = {
            "name": path_parameter.name,
            "in": "path",
            "required": True,
            "description": path_parameter.description,
            "schema": schema,
        }
        # Only examples this operation takes: the base model's id is no adapter id.
        pattern = schema.get("pattern", "")
        fitting = [v for v in examples.get(path_parameter.name, ()) if re.search(pattern, v)]
        if fitting:
            parameter["examples"] = {f"example{n}": {"value": v} for n, v in enumerate(fitting)}
        parameters.append(parameter)
    for query in endpoint.query:
        values: Schema = (
            {"type": "string", "minLength": 1}
            if query.values is None
            else {"type": "string", "enum": list(query.values)}
        )
        parameters.append(
            {
                "name": query.name,
                "in": "query",
                "required": query.required,
                "description": query.description,
                "schema": values,
            }
        )
    success = (
        {"type": "object"}
        if endpoint.response is None
        else builder.schema(endpoint.response, request=False)
    )
    error_schema = {
        "$ref": "#/components/schemas/"
        + ("ModelError" if endpoint.error_schema is ErrorSchema.TYPED else "Error")
    }
    statuses = endpoint.errors if implemented else (*endpoint.errors, 501)
    responses: dict[str, Schema] = {}
    if implemented:
        responses["200"] = {
            "description": "Success.",
            "content": {"application/json": {"schema": success}},
        }
    for status in statuses:
        responses[str(status)] = {
            "description": _STATUS_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": error_schema}},
        }
    document: Schema = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "parameters": parameters,
        "responses": responses,
    }
    if endpoint.body is BodyKind.JSON:
        assert endpoint.request is not None
        document["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": builder.schema(endpoint.request, request=True)}
            },
        }
    elif endpoint.body is BodyKind.MULTIPART:
        file_part = {"type": "string", "format": "binary"}
        document["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {FILE_PART: file_part},
                        "required": [FILE_PART],
                    }
                }
            },
        }
    return document


def _links(endpoint: Endpoint[Any, Any], rows: list[Endpoint[Any, Any]]) -> Schema:
    """Where the id this operation creates goes next: the operations of the same resource."""
    assert endpoint.creates is not None
    return {
        target.operation_id: {
            "operationId": target.operation_id,
            "parameters": {endpoint.creates: "$response.body#/id"},
        }
        for target in rows
        if target.path.startswith(endpoint.path + "/")
        and any(p.name == endpoint.creates for p in target.path_parameters)
    }


class _SchemaBuilder:
    """Turns record types into JSON schemas, collecting the records as named components.

    A record that travels both ways (a chunker: sent when creating a collection, read when
    listing them) gets two components, the second named with its direction.
    """

    def __init__(
        self, *, max_samples_per_fine_tune: int, examples: Mapping[str, Sequence[str]]
    ) -> None:
        self.components: dict[str, Schema] = {}
        self._examples = examples
        self._names: dict[tuple[type[Any], bool], str] = {}
        self._bounds = dict(FIELD_BOUNDS)
        # The emulator's own limit, on top of what the record enforces.
        self._bounds[FineTuneRequest, "samples"] = {
            **FIELD_BOUNDS[FineTuneRequest, "samples"],
            "maxItems": max_samples_per_fine_tune,
        }

    def schema(self, annotation: Any, *, request: bool) -> Schema:
        """The schema of a type as it travels in a request or in a response."""
        origin = typing.get_origin(annotation)
        if annotation in _UNION_BY_TYPE:
            return self._tagged_union(_UNION_BY_TYPE[annotation], request=request)
        if origin in (Union, types.UnionType):
            return self._union(typing.get_args(annotation), request=request)
        if origin is tuple:
            item, _ = typing.get_args(annotation)
            return {"type": "array", "items": self.schema(item, request=request)}
        if origin is dict:
            _, value = typing.get_args(annotation)
            return {"type": "object", "additionalProperties": self.schema(value, request=request)}
        if origin is Literal:
            return {"type": "string", "enum": list(typing.get_args(annotation))}
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return {"type": "string", "enum": [member.value for member in annotation]}
        if isinstance(annotation, type) and attrs.has(annotation):
            return self._record(annotation, request=request)
        return dict(_PRIMITIVES[annotation])

    def _union(self, members: tuple[Any, ...], *, request: bool) -> Schema:
        real = tuple(m for m in members if m is not type(None))
        tagged = next((u for u in TAGGED_UNIONS if frozenset(u.members) == frozenset(real)), None)
        if tagged is not None:
            variants = [self._tagged_union(tagged, request=request)]
        else:
            variants = [self.schema(m, request=request) for m in real]
        if type(None) in members:
            variants.append({"type": "null"})
        return variants[0] if len(variants) == 1 else {"anyOf": variants}

    def _tagged_union(self, union: TaggedUnion, *, request: bool) -> Schema:
        mapping = {
            tag: self._record(member, request=request) for member, tag in union.members.items()
        }
        return {
            "oneOf": list(mapping.values()),
            "discriminator": {
                "propertyName": union.tag,
                "mapping": {tag: reference["$ref"] for tag, reference in mapping.items()},
            },
        }

    def _record(self, record: type[Any], *, request: bool) -> Schema:
        key = (record, request)
        if key not in self._names:
            name = record.__name__
            if (record, not request) in self._names:
                name += "Request" if request else "Response"
            self._names[key] = name
            self.components[name] = {}  # claimed first: records may refer to themselves
            self.components[name] = (
                self._sample() if record is Sample else self._fields(record, request=request)
            )
        return {"$ref": f"#/components/schemas/{self._names[key]}"}

    def _fields(self, record: type[Any], *, request: bool) -> Schema:
        # attrs resolves the annotations once (the gradient_sdk package does it for the
        # records it re-exports, before giving them its own module name).
        attrs.resolve_types(record)
        properties: dict[str, Schema] = {}
        required: list[str] = []
        implicit = _IMPLICIT_TAGS.get(record)
        if implicit is not None:
            tag_name, tag = implicit
            properties[tag_name] = {"type": "string", "const": tag}
            required.append(tag_name)
        for field in attrs.fields(record):
            name = wire_name(record, field.name)
            properties[name] = self._field(record, field, field.type, request)
            # Responses always carry every field; requests may leave out those with defaults.
            if not request or field.default is attrs.NOTHING:
                required.append(name)
        schema: Schema = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        return schema

    def _field(
        self, record: type[Any], field: attrs.Attribute[Any], annotation: Any, request: bool
    ) -> Schema:
        schema = self.schema(annotation, request=request)
        extra: Schema = dict(self._bounds.get((record, field.name), {}))
        name = wire_name(record, field.name)
        if request and name in self._examples:
            extra["examples"] = list(self._examples[name])
        if not extra:
            return schema
        if "anyOf" in schema:  # an optional value: the bounds apply to the non-null variant
            first, *rest = schema["anyOf"]
            return {"anyOf": [{**first, **extra}, *rest]}
        return {**schema, **extra}

    def _sample(self) -> Schema:
        # The converter writes a sample by hand: the multiplier nests in fineTuningParameters.
        structured = self.schema(StructuredInput, request=True)
        multiplier = {"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "null"}]}
        return {
            "type": "object",
            "properties": {
                "inputs": {
                    "anyOf": [
                        {"type": "string", "minLength": 1},
                        {"type": "array", "items": structured, "minItems": 1},
                    ]
                },
                "fineTuningParameters": {
                    "anyOf": [
                        {"type": "object", "properties": {"multiplier": multiplier}},
                        {"type": "null"},
                    ]
                },
            },
            "required": ["inputs"],
        }


_PRIMITIVES: Mapping[Any, Schema] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    datetime: {"type": "string", "format": "date-time"},
    Any: {},
}
