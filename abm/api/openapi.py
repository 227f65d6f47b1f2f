"""The OpenAPI 3.1 document, built from the declared operations and their pydantic models."""

from __future__ import annotations

import functools
from http import HTTPStatus

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from abm.api.core import OPERATIONS, PREFIX, Operation, operation
from abm.api.schemas import MAX_INT, Error

REF = "#/components/schemas/{model}"
TITLE = "abm API"
VERSION = "1.0.0"
PATH_SCHEMAS = {
    "int": {"type": "integer", "minimum": 0, "maximum": MAX_INT},
    "string": {"type": "string", "pattern": "^[^/]+$"},
}


class OpenApiDocument(BaseModel):
    """The OpenAPI document (free-form: it describes itself)."""

    model_config = {"extra": "allow"}


def _error_statuses(op: Operation) -> list[int]:
    statuses = set(op.errors)
    if not op.public:
        statuses |= {401, 403}
    if op.path_types:
        statuses.add(404)
    if op.query is not None:
        statuses.add(422)
    if op.body is not None or op.upload:
        statuses |= {400, 413, 415}
    if op.body is not None:
        statuses.add(422)
    statuses |= {405, 500}
    return sorted(statuses)


def _query_parameters(schema: dict) -> list[dict]:
    """Query parameters from a model's schema; a null variant has no meaning in a URL."""
    params = []
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        variants = [v for v in prop.pop("anyOf", []) if v.get("type") != "null"]
        if len(variants) == 1:
            prop.update(variants[0])
        elif variants:
            prop["anyOf"] = variants
        if "default" in prop and prop["default"] is None:
            del prop["default"]
        description = prop.pop("description", None)
        prop.pop("title", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _path(rule: str) -> str:
    from abm.api.core import _PATH_ARG

    return PREFIX + _PATH_ARG.sub(lambda m: "{" + m.group(2) + "}", rule)


@functools.cache
def build_document() -> dict:
    """The whole document (built once per process: the operations are fixed at import)."""
    models: set[tuple[type[BaseModel], JsonSchemaMode]] = {(Error, "serialization")}
    for op in OPERATIONS:
        if op.query is not None:
            models.add((op.query, "validation"))
        if op.body is not None:
            models.add((op.body, "validation"))
        if op.response is not None:
            models.add((op.response, "serialization"))
    refs, top = models_json_schema(sorted(models, key=lambda m: (m[0].__name__, m[1])),
                                   ref_template=REF)
    components = top.get("$defs", {})

    def inline(model: type[BaseModel], mode: JsonSchemaMode) -> dict:
        ref = refs[(model, mode)]["$ref"].rsplit("/", 1)[-1]
        return components[ref]

    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        item: dict = {
            "operationId": op.endpoint,
            "summary": op.summary,
            "tags": [op.tag],
            "responses": {},
        }
        if op.description:
            item["description"] = op.description
        if op.public:
            item["security"] = []
        params = [
            {"name": name, "in": "path", "required": True, "schema": PATH_SCHEMAS[kind]}
            for name, kind in op.path_types.items()
        ]
        if op.query is not None:
            params += _query_parameters(inline(op.query, "validation"))
        if params:
            item["parameters"] = params
        if op.body is not None:
            item["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": refs[(op.body, "validation")]}}}
        if op.upload:
            item["requestBody"] = {"required": True, "content": {
                media: {"schema": {"type": "string", "format": "binary", "minLength": 1}}
                for media in op.upload}}
        ok: dict = {"description": HTTPStatus(op.status).phrase}
        if op.response is not None and op.status != 204:
            ok["content"] = {"application/json": {"schema": refs[(op.response, "serialization")]}}
        item["responses"][str(op.status)] = ok
        for status in _error_statuses(op):
            item["responses"][str(status)] = {"$ref": f"#/components/responses/{status}"}
        paths.setdefault(_path(op.rule), {})[op.method.lower()] = item

    every_status = sorted({s for op in OPERATIONS for s in _error_statuses(op)})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": (
                "Drive abm from other systems. Authenticate with a personal API token "
                "(`Authorization: Bearer abm_...`); a token acts with its user's role. "
                "Lists are paginated with `limit` and `cursor` (pass the `next_cursor` "
                "of a page to get the next one). Every error is a JSON `Error`."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "responses": {
                str(status): {
                    "description": HTTPStatus(status).phrase,
                    "content": {"application/json": {"schema": {"$ref": REF.format(
                        model="Error")}}},
                }
                for status in every_status
            },
        },
    }


@operation("GET", "/openapi.json", summary="This OpenAPI document", tag="meta",
           response=OpenApiDocument, public=True)
def document() -> OpenApiDocument:
    return OpenApiDocument(**build_document())
