"""The API's plumbing: bearer-token auth, role checks, declared operations and JSON errors.

Each endpoint is declared once with :func:`operation`: its method, path, the
roles it admits and the pydantic models of its query, body and response. The
same declaration parses and validates the request, serialises the response
and describes the endpoint in the OpenAPI document, so the document cannot
drift from the code.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus

from flask import Blueprint, Response, current_app, g, request
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from abm.accounts.services import Viewer
from abm.api.schemas import MAX_INT, Error, ErrorDetail
from abm.audit.services import Actor
from abm.db import get_session
from abm.http import writes
from abm.users.models import User
from abm.users.tokens import user_for_token

# Every call, reading ones included, records its token's use.
PREFIX = "/api/v1"
bp = writes(Blueprint("api", __name__, url_prefix=PREFIX))

EVERY_ROLE = frozenset({"admin", "manager", "marketing", "sales"})
MAX_BODY = 10 * 1024 * 1024  # JSON bodies; big files go through the importer


class ApiError(Exception):
    """An error answered as JSON with ``status``; ``details`` lists field problems; ``code``
    and ``params``: the stable code of a service's refusal and its message's parameters
    (a refused import file), answered as ``error_code`` and ``error_params``."""

    def __init__(self, status: int, message: str, details: list[ErrorDetail] | None = None,
                 *, code: str | None = None, params: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []
        self.code = code
        self.params = params


@dataclass
class Operation:
    """One declared endpoint, as the OpenAPI document describes it."""

    method: str
    rule: str
    endpoint: str
    summary: str
    tag: str
    roles: frozenset[str]
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    public: bool = False
    upload: tuple[str, ...] = ()
    description: str = ""
    path_types: dict[str, str] = field(default_factory=dict)


OPERATIONS: list[Operation] = []
_PATH_ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def operation(
    method: str, rule: str, *, summary: str, tag: str, roles=EVERY_ROLE,
    query: type[BaseModel] | None = None, body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None, status: int = 200, errors: tuple[int, ...] = (),
    public: bool = False, upload: tuple[str, ...] = (),
) -> Callable:
    """Declare an endpoint of the API blueprint.

    The view is called with the path arguments, plus ``query=`` and ``body=``
    (validated model instances) when declared. It returns an instance of
    ``response`` (or None when ``status`` is 204).

    Args:
        roles: the roles admitted (admins always are); 403 for the others.
        errors: statuses the view itself may answer besides the automatic ones.
        public: no token needed (the OpenAPI document itself).
        upload: media types of a raw file body (the view reads ``request.stream``).
    """
    roles = frozenset(roles) | {"admin"}

    def decorator(view: Callable) -> Callable:
        endpoint = f"{view.__module__.rsplit('.', 1)[-1]}_{view.__name__}"
        path_types = {name: conv or "string" for conv, name in _PATH_ARG.findall(rule)}
        op = Operation(method=method, rule=rule, endpoint=endpoint, summary=summary, tag=tag,
                       roles=roles, query=query, body=body, response=response, status=status,
                       errors=errors, public=public, upload=upload,
                       description=(view.__doc__ or "").strip(),
                       path_types=path_types)

        @functools.wraps(view)
        def wrapped(**path):
            if not public:
                authenticate()
                if g.api_user.role.value not in roles:
                    raise ApiError(403, "your role may not use this endpoint")
            kwargs = dict(path)
            if query is not None:
                kwargs["query"] = _validate(query, request.args.to_dict(), "query")
            if body is not None:
                kwargs["body"] = _validate(body, _json_body(), "body")
            if upload and request.mimetype not in upload:
                raise ApiError(415, f"send the file as one of: {', '.join(upload)}")
            result = view(**kwargs)
            get_session().commit()  # token use, audit rows and the action itself
            if status == 204:
                return Response(status=204)
            assert response is not None and isinstance(result, response), \
                f"{endpoint} must return its declared response"
            return Response(result.model_dump_json(), status=status, mimetype="application/json")

        # Ids beyond 32 bits cannot exist: answer 404 at routing, before any database sees them.
        flask_rule = rule.replace("<int:", f"<int(max={MAX_INT}):")
        bp.add_url_rule(flask_rule, endpoint=endpoint, view_func=wrapped, methods=[method])
        OPERATIONS.append(op)
        return wrapped

    return decorator


def authenticate() -> User:
    """The user of the request's bearer token, kept in ``g.api_user``; 401 without one.

    Only the Authorization header counts: the API never reads the session
    cookie, so a page in another tab cannot make calls in a user's name (which
    is why the blueprint needs no CSRF token).
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "send an API token as 'Authorization: Bearer <token>'")
    found = user_for_token(get_session(), token.strip())
    if found is None:
        raise ApiError(401, "the API token is unknown, revoked or expired")
    g.api_user, g.api_token = found
    return g.api_user


def current_user() -> User:
    return g.api_user


def current_viewer() -> Viewer:
    """The token's user as the accounts services see them."""
    return Viewer(user_id=g.api_user.id, role=g.api_user.role.value)


def client_address() -> str | None:
    return request.remote_addr


def current_actor() -> Actor:
    """The token's user and the client's address, as the audit log records who did what."""
    return Actor(g.api_user.id, client_address(), via="api")


def _json_body() -> bytes:
    if not request.is_json:
        raise ApiError(415, "send the body as JSON with 'Content-Type: application/json'")
    raw = request.get_data(cache=False)
    try:
        json.loads(raw)
    except (ValueError, RecursionError):  # invalid, not UTF-8, or nested beyond reason
        raise ApiError(400, "the body is not valid JSON") from None
    return raw


def _validate(model: type[BaseModel], data: dict | bytes, where: str) -> BaseModel:
    """Validate a query (from text) or a JSON body (where a number must be a JSON number:
    see :data:`abm.api.schemas.JsonNumber`)."""
    try:
        if isinstance(data, bytes):
            return model.model_validate_json(data, context={"json": True})
        return model.model_validate(data)
    except ValidationError as exc:
        details = [
            ErrorDetail(field=".".join(str(p) for p in err["loc"]) or where,
                        message=err["msg"])
            for err in exc.errors(include_url=False, include_input=False)
        ]
        raise ApiError(422, f"the {where} is not valid", details) from None


def error_response(status: int, message: str, details: list[ErrorDetail] | None = None, *,
                   error_code: str | None = None, error_params: dict | None = None):
    try:
        code = HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        code = "error"
    body = Error(status=status, error=code, message=message, details=details or [],
                 error_code=error_code,
                 error_params=error_params if error_code is not None else None)
    response = Response(body.model_dump_json(exclude_none=True), status=status,
                        mimetype="application/json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="abm"'
    return response


def _http_error(exc: HTTPException):
    response = error_response(exc.code or 500, exc.description or exc.name)
    for name in ("Allow", "Retry-After"):
        if exc.get_response().headers.get(name):
            response.headers[name] = exc.get_response().headers[name]
    return response


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    get_session().rollback()
    return error_response(exc.status, exc.message, exc.details, error_code=exc.code,
                          error_params=exc.params)


@bp.errorhandler(IntegrityError)
def _conflict(exc: IntegrityError):
    get_session().rollback()
    return error_response(409, "this conflicts with an existing record (a duplicate key?)")


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException):
    get_session().rollback()
    return _http_error(exc)


@bp.errorhandler(Exception)
def _crash(exc: Exception):
    get_session().rollback()
    current_app.logger.exception("API error on %s %s", request.method, request.path)
    return error_response(500, "something went wrong on our side; it has been logged")


@bp.before_request
def _limit_body() -> None:
    # Flask 3.1 lets a request lower the application's body limit for itself.
    request.max_content_length = current_app.config.get("API_MAX_CONTENT_LENGTH", MAX_BODY)


def init_routing_errors(app) -> None:
    """Answer HTTP errors under the API prefix as JSON.

    Routing errors ("no such path", "wrong method") happen before a blueprint is
    chosen, and the application's handlers for a status code come before the
    blueprint's generic one; so every status the application has a page for is
    wrapped here. Every other path keeps the handler it had before.
    """
    pages = app.error_handler_spec.get(None, {})
    for code in sorted({c for c in pages if c is not None} | {404, 405}):
        previous = pages.get(code, {})
        fallback = next(iter(previous.values()), None)
        app.register_error_handler(code, functools.partial(_routing_error, fallback))


def _routing_error(fallback, exc: HTTPException):
    if is_api_request():
        get_session().rollback()
        return _http_error(exc)
    return fallback(exc) if fallback is not None else exc
