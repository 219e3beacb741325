"""The refusals each API operation can answer, written into the OpenAPI document with the one error shape.

Litestar documents only a 400 in its own `ValidationException` shape, which is not what the API sends
(every refusal is `{"error": {"code", "message", "details"}}`, see `errors.error_body`). The refusals a
route can answer follow mostly from how it is declared, so they are derived here, in one place, from the
same declarations the guards and the parser read:

- any operation: 400 (a parameter or body that does not parse) and 401 (a Bearer token that is unknown or
  revoked is refused before any route runs);
- a route with an audience (`opt` roles or signed_in): 401 without a principal, 403 without the role;
- an unsafe method (not a signed webhook): 403 when a caller without a Bearer token sends no CSRF token;
- a path parameter: 404 when it names nothing (or nothing the caller may see);
- a request body: 413 past the size limit, 422 when the content is refused by the domain rules;
- `opt={"anonymous_write": ...}`: 429 past the anonymous write limit; `opt={"cpu_work": ...}`: 503 when
  the CPU queue is full.

The generated document is also corrected where Litestar's generator is not truthful about what the app
accepts or sends: structs that refuse unknown fields say so (`additionalProperties: false`); a bound of 0
(`ge=0`) is kept (Litestar drops falsy bounds, so `stock: -5` looked valid); integer parameters without a
declared range say they are 64-bit (the database refuses bigger ones with 400); a 204 has no body; an
upload's multipart body names its required field `file`.

What only the service knows (a state conflict, a rate limit of its own) the handler declares in
`opt={"refusals": (409, 429)}`; `tests/marketplace/platform/test_api_conformance.py` runs schemathesis
against the document, so a status that is answered but not documented fails the build.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
from litestar import Litestar
from litestar._openapi.schema_generation.schema import KWARG_DEFINITION_ATTRIBUTE_TO_OPENAPI_PROPERTY_MAP, SchemaCreator
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
)
from litestar.routes import HTTPRoute

from marketplace.platform.access import route_audience
from marketplace.platform.write_limits import ANONYMOUS_WRITE

__all__ = ["ERROR_COMPONENT", "REFUSALS", "document_refusals", "refusals_of"]

ERROR_COMPONENT = "Error"
# The opt key a handler uses for refusals that only its service knows about.
REFUSALS = "refusals"

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
UPLOAD_FIELD = "file"

_DESCRIPTIONS = {
    400: "The request is malformed: a parameter or the body does not parse or is out of range.",
    401: "No valid credentials: the route needs a signed-in caller, or the Bearer token is unknown or revoked.",
    403: "The caller lacks the role this route needs, or (without a Bearer token) sent no valid CSRF token.",
    404: "The resource named in the path does not exist, or is not visible to the caller.",
    409: "The request conflicts with the resource's current state.",
    413: "The request body is larger than this route accepts.",
    415: "The uploaded file is not an image of an accepted type.",
    422: "The content is refused by the rules of the domain; `details.field` names the field when there is one.",
    429: "Too many requests; `Retry-After` says when to try again.",
    503: "The service is busy; `Retry-After` says when to try again.",
}


def _error_schema() -> Schema:
    return Schema(
        type=OpenAPIType.OBJECT,
        required=["error"],
        properties={
            "error": Schema(
                type=OpenAPIType.OBJECT,
                required=["code", "message", "details"],
                properties={
                    "code": Schema(type=OpenAPIType.STRING, description="Stable, machine-readable reason."),
                    "message": Schema(type=OpenAPIType.STRING, description="For people; may change."),
                    # Any JSON value (or null): which field, the limits, the allowed values.
                    "details": Schema(description="What the code needs to be acted on, or null."),
                },
            )
        },
        description="The one shape of every refusal of the API.",
    )


_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def refusals_of(route: HTTPRoute, handler: HTTPRouteHandler, method: str,
                csrf_exempt_suffixes: Sequence[str] = ()) -> set[int]:
    """The 4xx (and 503) statuses this handler can answer for this method, from its declaration."""
    statuses = {400, 401}
    if route_audience(handler) is not None:
        statuses |= {401, 403}
    if method.upper() not in _SAFE_METHODS and not route.path.endswith(tuple(csrf_exempt_suffixes)):
        statuses.add(403)
    if route.path_parameters:
        statuses.add(404)
    if "data" in handler.parsed_fn_signature.parameters:
        statuses |= {413, 422}
    if handler.opt.get(ANONYMOUS_WRITE):
        statuses.add(429)
    if handler.opt.get("cpu_work"):
        statuses.add(503)
    if _is_upload(handler):
        statuses.add(415)
    statuses.update(handler.opt.get(REFUSALS, ()))
    return statuses


def _is_upload(handler: HTTPRouteHandler) -> bool:
    """A multipart `data` body, or an image route that reads its form itself (`opt={"cpu_work": "image"}`)."""
    data = handler.parsed_fn_signature.parameters.get("data")
    multipart = getattr(getattr(data, "kwarg_definition", None), "media_type", None) == RequestEncodingType.MULTI_PART
    return multipart or handler.opt.get("cpu_work") == "image"


def _keep_zero_bounds() -> None:
    """Litestar copies `ge`, `le`, `min_length`... into the schema only when truthy, so 0 is dropped."""
    original = SchemaCreator._apply_kwarg_definition_metadata
    if getattr(original, "keeps_zero_bounds", False):
        return

    def apply(self: SchemaCreator, field: Any, schema: Schema) -> None:
        original(self, field, schema)
        definition = field.kwarg_definition
        if definition is None:
            return
        for attribute, schema_key in KWARG_DEFINITION_ATTRIBUTE_TO_OPENAPI_PROPERTY_MAP.items():
            value = getattr(definition, attribute, None)
            if type(value) in (int, float) and value == 0 and getattr(schema, schema_key, None) is None:
                setattr(schema, schema_key, value)

    apply.keeps_zero_bounds = True  # type: ignore[attr-defined]
    SchemaCreator._apply_kwarg_definition_metadata = apply  # type: ignore[method-assign]


_keep_zero_bounds()


def _bound_integer_parameters(operation: Operation) -> None:
    for parameter in operation.parameters or ():
        if not isinstance(parameter, Parameter) or not isinstance(parameter.schema, Schema):
            continue
        schemas = [parameter.schema, *(one for one in parameter.schema.one_of or () if isinstance(one, Schema))]
        for schema in schemas:
            if schema.type == OpenAPIType.INTEGER:
                if schema.maximum is None and schema.exclusive_maximum is None:
                    schema.maximum = INT64_MAX
                if schema.minimum is None and schema.exclusive_minimum is None:
                    schema.minimum = INT64_MIN


def _describe_upload(operation: Operation) -> None:
    body = operation.request_body
    if body is None:
        # The handler reads the form from the request itself, so Litestar saw no body.
        body = operation.request_body = RequestBody(required=True, content={
            RequestEncodingType.MULTI_PART.value: OpenAPIMediaType(schema=Schema(type=OpenAPIType.OBJECT))})
    if not isinstance(body, RequestBody):
        return
    for media_type, content in (body.content or {}).items():
        if "multipart" in media_type:
            content.schema = Schema(type=OpenAPIType.OBJECT, required=[UPLOAD_FIELD], properties={
                UPLOAD_FIELD: Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY,
                                     description="The image: JPEG, PNG or WebP."),
            })


def _drop_bodies_of_no_content(responses: dict[str, Any]) -> None:
    no_content = responses.get("204")
    if isinstance(no_content, OpenAPIResponse):
        no_content.content = None


def _error_response(status: int) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=_DESCRIPTIONS.get(status, "Refused."),
        content={"application/json": OpenAPIMediaType(schema=Reference(f"#/components/schemas/{ERROR_COMPONENT}"))},
    )


def _strict_structs() -> Iterator[type[msgspec.Struct]]:
    pending = list(msgspec.Struct.__subclasses__())
    while pending:
        struct = pending.pop()
        pending.extend(struct.__subclasses__())
        if struct.__struct_config__.forbid_unknown_fields and struct.__module__.startswith(_OUR_PACKAGES):
            yield struct


_OUR_PACKAGES = ("marketplace.", "tourism.", "search.", "i18n.")


def _close_strict_components(components: dict[str, Any]) -> None:
    """`additionalProperties: false` on the components of structs that refuse unknown fields."""
    for struct in _strict_structs():
        fields = set(struct.__struct_encode_fields__)
        for name, component in components.items():
            named_after = name == struct.__name__ or name.endswith("_" + struct.__name__)
            if named_after and isinstance(component, Schema) and set(component.properties or {}) == fields:
                component.additional_properties = False
                _copy_item_constraints(struct, component)


_ITEM_CONSTRAINTS = (("minLength", "min_length"), ("maxLength", "max_length"), ("pattern", "pattern"),
                     ("minimum", "minimum"), ("maximum", "maximum"))


def _copy_item_constraints(struct: type[msgspec.Struct], component: Schema) -> None:
    """Litestar drops the constraints of list items (`list[Annotated[str, Meta(min_length=1)]]`); msgspec's
    own schema of the struct has them, so an empty certificate number no longer looks valid."""
    try:
        truth = msgspec.json.schema(struct)
    except (TypeError, ValueError):
        return
    definition = truth.get("$defs", {}).get(truth.get("$ref", "").rsplit("/", 1)[-1], {})
    for name, field in (definition.get("properties") or {}).items():
        items, target = field.get("items"), (component.properties or {}).get(name)
        if not isinstance(items, dict) or not isinstance(target, Schema) or not isinstance(target.items, Schema):
            continue
        for key, attribute in _ITEM_CONSTRAINTS:
            if key in items and getattr(target.items, attribute) is None:
                setattr(target.items, attribute, items[key])


def document_refusals(app: Litestar, csrf_exempt_suffixes: Sequence[str] = ()) -> None:
    """Add the error component and every operation's refusals to the app's OpenAPI document (on startup)."""
    if app.openapi_config is None:
        return
    document = app.openapi_schema
    if document.components.schemas is None:
        document.components.schemas = {}
    _close_strict_components(document.components.schemas)
    document.components.schemas[ERROR_COMPONENT] = _error_schema()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path_item = (document.paths or {}).get(route.path_format or "/")
        if path_item is None:
            continue
        for method, (handler, _) in route.route_handler_map.items():
            operation: Operation | None = getattr(path_item, method.lower(), None)
            if operation is None or not handler.resolve_include_in_schema():
                continue
            _bound_integer_parameters(operation)
            if _is_upload(handler):
                _describe_upload(operation)
            responses: dict[str, Any] = dict(operation.responses or {})
            _drop_bodies_of_no_content(responses)
            for status in sorted(refusals_of(route, handler, method, csrf_exempt_suffixes)):
                responses[str(status)] = _error_response(status)
            operation.responses = dict(sorted(responses.items()))
