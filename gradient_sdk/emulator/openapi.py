"""The emulator's OpenAPI 3.1 document, built from the same records that parse and answer.

Each schema is derived from an attrs record's fields (wire names from the converter's camelCase
rule, types from the annotations, required-ness from defaults), so a field added to a record
appears here without anyone writing it twice. What annotations cannot say is added in two
small tables below: numeric bounds (the records check them in validators, which cannot be
read back; ``tests/emulator/test_openapi.py`` checks each bound against its record) and the
wire shapes the converter writes by hand (a sample's nested multiplier, the model union).
"""

from __future__ import annotations

import enum
import re
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar, Union

import attrs
from starlette.requests import Request

from .. import records
from .._version import __version__
from .._wire import camel_case
from ..records import (
    BaseModelInfo,
    CompleteRequest,
    FineTuneRequest,
    ModelAdapterInfo,
    ModelInfo,
    Sample,
    StructuredInput,
)
from ..records._validators import json_schema_of
from .errors import ErrorType, parsing_error

Schema = dict[str, Any]
T = TypeVar("T")

#: What the emulator does not support: it takes only null (or nothing) there.
UNSUPPORTED_FIELDS: Mapping[tuple[type[Any], str], str] = {
    (CompleteRequest, "guidance"): "Not supported by the emulator (modelDoesNotSupportGuidance).",
    (CompleteRequest, "rag"): "The emulator has no RAG collections (unknownRagCollection).",
}

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


@attrs.frozen
class QueryParameter(Generic[T]):
    """A query parameter with a closed set of wire values, each read as a Python value."""

    name: str
    values: Mapping[str, T]
    default: T
    description: str

    def parse(self, request: Request) -> T:
        """The parameter's value in ``request``; the default when absent; 400 when unknown."""
        raw = request.query_params.get(self.name)
        if raw is None:
            return self.default
        if raw not in self.values:
            allowed = ", ".join(self.values)
            raise parsing_error(
                f"query parameter {self.name} must be one of {allowed}, got {raw!r}",
                error_type=ErrorType.QUERY_OR_PATH_PARSING_ERROR,
            )
        return self.values[raw]


_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
#: Path parameter schemas of model ids: what the emulator mints (50 characters each).
ADAPTER_ID: Schema = {"type": "string", "pattern": f"^{_UUID}_model_adapter$"}
MODEL_ID: Schema = {"type": "string", "pattern": f"^{_UUID}_(base_ml_model|model_adapter)$"}
SLUG: Schema = {"type": "string", "minLength": 1}


@attrs.frozen
class Operation:
    """One API operation: what the router serves and what the document describes.

    ``path`` is relative to ``/api``, its parameters described by ``path_parameters``;
    ``response`` None means an empty object; ``errors`` are the 4xx statuses the operation
    can answer; ``typed_errors`` operations (complete and fine-tune) answer
    ``{"message", "type", "payload"?}``, the others ``{"message"}``. ``creates`` names the
    path parameter that the ``id`` of the operation's response fills in other operations.
    """

    method: str
    path: str
    operation_id: str
    summary: str
    response: type[Any] | None
    errors: tuple[int, ...]
    request_body: type[Any] | None = None
    path_parameters: Mapping[str, Schema] = attrs.field(factory=dict)
    query: tuple[QueryParameter[Any], ...] = ()
    typed_errors: bool = False
    creates: str | None = None


_STATUS_DESCRIPTIONS = {
    400: "The request is malformed: bad JSON, wrong types, a missing workspace header.",
    401: "The access token is missing or wrong.",
    403: "The access token may not act in this workspace.",
    404: "No such model, adapter or embeddings model in this workspace.",
    413: "The request body is larger than the emulator accepts.",
    422: "The request is well formed but too large for the model (context window, limits).",
}


def openapi_document(
    operations: list[Operation],
    *,
    max_samples_per_fine_tune: int,
    examples: Mapping[str, Sequence[str]],
) -> Schema:
    """The OpenAPI 3.1 document of ``operations`` as the emulator serves them.

    ``examples`` gives example values of path parameters and body fields by name (the base
    model's id, the embeddings slugs), so a fuzzer reaches past "not found".
    """
    builder = _SchemaBuilder(max_samples_per_fine_tune=max_samples_per_fine_tune, examples=examples)
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        document = _operation(operation, builder, examples)
        if operation.creates is not None:
            document["responses"]["200"]["links"] = _links(operation.creates, operations)
        paths.setdefault(operation.path, {})[operation.method.lower()] = document
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
                "The part of the Gradient API that the gradient-sdk emulator serves: models, "
                "adapters, completions, fine-tuning and embeddings."
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
    operation: Operation, builder: _SchemaBuilder, examples: Mapping[str, Sequence[str]]
) -> Schema:
    parameters: list[Schema] = [{"$ref": "#/components/parameters/WorkspaceId"}]
    for name, schema in operation.path_parameters.items():
        parameter: Schema = {"name": name, "in": "path", "required": True, "schema": schema}
        # Only examples this operation takes: the base model's id is no adapter id.
        fitting = [v for v in examples.get(name, ()) if re.search(schema.get("pattern", ""), v)]
        if fitting:
            parameter["examples"] = {f"example{n}": {"value": v} for n, v in enumerate(fitting)}
        parameters.append(parameter)
    for query in operation.query:
        parameters.append(
            {
                "name": query.name,
                "in": "query",
                "required": False,
                "description": query.description,
                "schema": {"type": "string", "enum": list(query.values)},
            }
        )
    success = (
        {"type": "object"}
        if operation.response is None
        else builder.schema(operation.response, request=False)
    )
    error_schema = {
        "$ref": "#/components/schemas/" + ("ModelError" if operation.typed_errors else "Error")
    }
    responses: dict[str, Schema] = {
        "200": {"description": "Success.", "content": {"application/json": {"schema": success}}}
    }
    for status in operation.errors:
        responses[str(status)] = {
            "description": _STATUS_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": error_schema}},
        }
    document: Schema = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "parameters": parameters,
        "responses": responses,
    }
    if operation.request_body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": builder.schema(operation.request_body, request=True)}
            },
        }
    return document


def _links(parameter: str, operations: list[Operation]) -> Schema:
    return {
        f"{target.operation_id}": {
            "operationId": target.operation_id,
            "parameters": {parameter: "$response.body#/id"},
        }
        for target in operations
        if parameter in target.path_parameters
    }


class _SchemaBuilder:
    """Turns record types into JSON schemas, collecting the records as named components."""

    def __init__(
        self, *, max_samples_per_fine_tune: int, examples: Mapping[str, Sequence[str]]
    ) -> None:
        self.components: dict[str, Schema] = {}
        self._examples = examples
        self._directions: dict[type[Any], bool] = {}
        self._bounds = dict(FIELD_BOUNDS)
        # The emulator's own limit, on top of what the record enforces.
        self._bounds[FineTuneRequest, "samples"] = {
            **FIELD_BOUNDS[FineTuneRequest, "samples"],
            "maxItems": max_samples_per_fine_tune,
        }

    def schema(self, annotation: Any, *, request: bool) -> Schema:
        """The schema of a type as it travels in a request or in a response."""
        origin = typing.get_origin(annotation)
        if annotation is ModelInfo:
            return self._model_union()
        if origin in (Union, types.UnionType):
            return self._union(typing.get_args(annotation), request=request)
        if origin is tuple:
            item, _ = typing.get_args(annotation)
            return {"type": "array", "items": self.schema(item, request=request)}
        if origin is Literal:
            return {"type": "string", "enum": list(typing.get_args(annotation))}
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return {"type": "string", "enum": [member.value for member in annotation]}
        if isinstance(annotation, type) and attrs.has(annotation):
            return self._record(annotation, request=request)
        return dict(_PRIMITIVES[annotation])

    def _union(self, members: tuple[Any, ...], *, request: bool) -> Schema:
        variants = [self.schema(m, request=request) for m in members if m is not type(None)]
        if type(None) in members:
            variants.append({"type": "null"})
        return variants[0] if len(variants) == 1 else {"anyOf": variants}

    def _model_union(self) -> Schema:
        base = self.schema(BaseModelInfo, request=False)
        adapter = self.schema(ModelAdapterInfo, request=False)
        return {
            "oneOf": [base, adapter],
            "discriminator": {
                "propertyName": "type",
                "mapping": {"baseModel": base["$ref"], "modelAdapter": adapter["$ref"]},
            },
        }

    def _record(self, record: type[Any], *, request: bool) -> Schema:
        name = record.__name__
        reference = {"$ref": f"#/components/schemas/{name}"}
        if self._directions.setdefault(record, request) is not request:
            raise TypeError(f"{name} travels both ways; its schema would be ambiguous")
        if name in self.components:
            return reference
        self.components[name] = {}  # claimed first: records may refer to themselves
        if record is Sample:
            self.components[name] = self._sample()
            return reference
        hints = typing.get_type_hints(record)
        properties: dict[str, Schema] = {}
        required: list[str] = []
        for field in attrs.fields(record):
            wire_name = camel_case(field.name)
            properties[wire_name] = self._field(record, field, hints[field.name], request)
            # Responses always carry every field; requests may leave out those with defaults.
            if not request or field.default is attrs.NOTHING:
                required.append(wire_name)
        schema: Schema = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        self.components[name] = schema
        return reference

    def _field(
        self, record: type[Any], field: attrs.Attribute[Any], annotation: Any, request: bool
    ) -> Schema:
        unsupported = UNSUPPORTED_FIELDS.get((record, field.name))
        if unsupported is not None:
            return {"type": "null", "description": unsupported}
        schema = self.schema(annotation, request=request)
        extra: Schema = dict(self._bounds.get((record, field.name), {}))
        if request and camel_case(field.name) in self._examples:
            extra["examples"] = list(self._examples[camel_case(field.name)])
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
