#!/usr/bin/env python3
"""A fake of Vapi's HTTP API for tests, driven by Vapi's own OpenAPI document.

    fake_vapi.py --spec Tests/VapiFake/openapi.json --token TOKEN
                 [--port 0] [--rate N] [--max-page N] [--verbose]

Binds 127.0.0.1 (port 0: any free port), prints exactly one line,
`listening on http://127.0.0.1:PORT`, to stdout and serves until SIGTERM or
SIGINT. With --verbose it logs one line per request to stderr; otherwise it
writes nothing after that line, so a caller need not drain its pipes.

The API. Only the operations of the pruned document (script/update-vapi-openapi)
are routed. Each request is checked against the document: declared query
parameters only, the request body against the operation's schema with every
object closed (Vapi rejects unknown properties), and every 2xx answer against
the declared response schema, so the fake cannot drift from the document.
Errors have Vapi's (NestJS's) shape, {"message": ..., "statusCode": ...}.
Resources live in memory. The semantics the document does not state come from
NOTES.md (Vapi's notes beside the vendored document, which cite
VapiAI/gitops docs/learnings/*.md); each is commented where it is implemented.

Test controls, under /__fake/ (not Vapi's; no token; JSON in and out):

    POST   /__fake/assistants/{id}/edit  merge an object into an assistant at the
    POST   /__fake/tools/{id}/edit       top level, as a dashboard edit would
    POST   /__fake/calls                 seed calls (a list); answers them stored
                                         (give UUID ids: GET /call/{id} wants one)
    POST   /__fake/faults                queue faults (an object or a list)
    GET    /__fake/faults                the faults not yet consumed
    GET    /__fake/requests              the log of API requests, in order
    DELETE /__fake/requests              clear that log
    GET    /__fake/state                 {"assistants": [...], "tools": [...], "calls": [...]}
    GET    /__fake/failures              answers that did not match the document
    POST   /__fake/reset                 forget everything above

Each request log entry is {"method", "path", "query": {name: value}, "body":
JSON (the raw text when it is not JSON; null when empty), "status" (null while
in flight), "fault": the kind of fault it met, or null}, in order of arrival;
401s, 404s and 429s are logged too.

A fault is {"method": "PATCH", "path": "/assistant/", "kind": ..., "times": 1}:
`method` (any when absent) and `path` (a prefix of the request path; any when
absent; with "exact": true, the whole path) select requests that reached an
operation and passed the token check,
`times` (default 1) is how many such requests it affects, and faults are
matched in the order they were queued, the first match winning. Kinds:
  {"kind": "status", "status": 500}           answer that status, write nothing;
      optional "retry_after" (Retry-After header) and "body"
  {"kind": "drop-after-commit"}               perform the request, then close
                                              the connection without answering
  {"kind": "delay", "seconds": 3}             wait, then serve normally
  {"kind": "ignore-write"}                    write nothing, answer 200 with
                                              the object as it is (a write
                                              that did not take)
"""

import argparse
import copy
import datetime
import email.utils
import http
import json
import math
import re
import signal
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from jsonschema import FormatChecker, ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT4

SCHEMA_PREFIX = "#/components/schemas/"
REQUEST_DOCUMENT_URI = "urn:fake-vapi:request"
RESPONSE_DOCUMENT_URI = "urn:fake-vapi:response"
SERVER_FIELDS = ("id", "orgId", "createdAt", "updatedAt")
COMPOSITIONS = ("allOf", "anyOf", "oneOf")


# ---------------------------------------------------------------------------
# The document: normalising it, and the stricter copy requests are checked with
# ---------------------------------------------------------------------------

def subschemas(schema):
    """The schemas nested directly in `schema` (no $ref followed)."""
    if not isinstance(schema, dict):
        return
    for value in schema.get("properties", {}).values():
        yield value
    for keyword in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(keyword), dict):
            yield schema[keyword]
    for keyword in COMPOSITIONS:
        yield from schema.get(keyword, [])


def all_schemas(document):
    """Every schema object of the document, nested ones included: the
    components, and the parameters, bodies and responses of the operations."""
    roots = list(document["components"]["schemas"].values())
    for item in document["paths"].values():
        for operation in item.values():
            roots += [parameter["schema"] for parameter in operation.get("parameters", [])]
            for holder in [operation.get("requestBody", {})] + list(operation.get("responses", {}).values()):
                roots += [media["schema"] for media in holder.get("content", {}).values() if "schema" in media]
    pending = roots
    while pending:
        schema = pending.pop()
        yield schema
        pending.extend(subschemas(schema))


def resolve(document, schema):
    """`schema`, or the component it points to when it is a local $ref."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
        return document["components"]["schemas"][ref[len(SCHEMA_PREFIX):]]
    return schema


# Patterns Python's `re` cannot read even once their JavaScript delimiters are
# gone, and their Python equivalent (\p{L} is a Unicode letter).
JAVASCRIPT_PATTERN_REWRITES = {
    r"^\p{L}[\p{L}\d]*(?::[+-]?\d+)?$": r"^[^\W\d_][^\W_]*(?::[+-]?\d+)?$",
}
JAVASCRIPT_LITERAL = re.compile(r"^/(?P<body>.*)/(?P<flags>[a-z]*)$", re.DOTALL)
JAVASCRIPT_FLAGS = {"i": "i", "m": "m", "s": "s", "u": ""}  # str patterns are Unicode already


def python_pattern(pattern):
    """A Python regular expression for a pattern of the document.

    The document prints some patterns as JavaScript regex literals, e.g.
    OpenAIFunction.name "/^[a-zA-Z0-9_-]{1,64}$/": class-validator's
    @Matches(RegExp) as the NestJS Swagger plugin writes it. Read literally,
    the slashes could never match, and every function name would fail.
    """
    literal = JAVASCRIPT_LITERAL.match(pattern)
    if literal:
        unknown = set(literal["flags"]) - set(JAVASCRIPT_FLAGS)
        if unknown:
            raise ValueError(f"pattern {pattern!r}: unsupported flags {''.join(sorted(unknown))}")
        inline = "".join(JAVASCRIPT_FLAGS[flag] for flag in literal["flags"])
        body = JAVASCRIPT_PATTERN_REWRITES.get(literal["body"], literal["body"])
        pattern = f"(?{inline}){body}" if inline else body
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(f"pattern {pattern!r} is not a Python regular expression ({error}); "
                         "add it to JAVASCRIPT_PATTERN_REWRITES") from error
    return pattern


def normalise(document):
    """Repairs artefacts of how the document is generated (NestJS Swagger),
    which would make valid data fail. Applied to requests and responses alike.
    """
    for schema in all_schemas(document):
        if isinstance(schema.get("pattern"), str):
            schema["pattern"] = python_pattern(schema["pattern"])
        # `@ApiProperty({enum, isArray: true})` comes out as an enum on the
        # array *and* on its items (e.g. CreateAssistantDTO.clientMessages);
        # an array is never one of those strings, so the array-level enum
        # belongs to the items.
        if schema.get("type") == "array" and "enum" in schema:
            items = schema.setdefault("items", {})
            items.setdefault("enum", schema["enum"])
            del schema["enum"]
        # Some discriminator mappings miss a branch of their oneOf (POST
        # /tool has no "code" for CreateCodeToolDTO; tool answers have no
        # "ghl" for GhlTool). Complete them from the branches' own
        # single-value enum, so those branches stay reachable.
        if "discriminator" in schema and "oneOf" in schema:
            discriminator = schema["discriminator"]
            mapping = discriminator.setdefault("mapping", {})
            for branch in schema["oneOf"]:
                if "$ref" not in branch or branch["$ref"] in mapping.values():
                    continue
                value = single_value(resolve(document, branch), discriminator["propertyName"], required=False)
                if value is not None and value not in mapping:
                    mapping[value] = branch["$ref"]
    return document


def single_value(schema, name, required=True):
    """The one value `schema` allows for its property `name` when that is a
    single-value enum (how Vapi tags union members) and, if `required`, a
    required property."""
    enum = schema.get("properties", {}).get(name, {}).get("enum")
    if (not required or name in schema.get("required", [])) and isinstance(enum, list) and len(enum) == 1:
        return enum[0]
    return None


def strict_for_requests(document):
    """The copy of the (normalised) document request bodies are checked with.

    1. Objects are closed: every schema that declares `properties`, no
       `additionalProperties` and no allOf/anyOf/oneOf beside them gets
       `additionalProperties: false`. Vapi rejects
       unknown properties with 400 "property X should not exist" although the
       document never says so (NOTES.md §4, citing VapiAI/gitops
       docs/learnings/voice-providers.md).
       An object whose properties are spread over an allOf (several parts, or
       one part beside own properties) would reject its own properties if
       each part were closed alone, so such parts, and the object itself, are
       left open. This document has no such allOf (each allOf wraps a single
       $ref), but a later one may.
    2. Unions are made precise: a oneOf without a discriminator whose branches
       are all objects tagged by one required single-value enum property
       (`type` or `provider`, e.g. CreateAssistantDTO.model: 17 providers)
       gets a discriminator on that property. Only the selected branch is
       then checked, so an error names the wrong field instead of "not valid
       under any of the given schemas".
    """
    schemas = document["components"]["schemas"]
    open_components, open_inline = set(), set()
    for schema in all_schemas(document):
        parts = schema.get("allOf", [])
        if len(parts) > 1 or (parts and "properties" in schema):
            for part in parts:
                ref = part.get("$ref", "")
                if ref.startswith(SCHEMA_PREFIX):
                    open_components.add(ref[len(SCHEMA_PREFIX):])
                else:
                    open_inline.add(id(part))
    left_open = {id(schemas[name]) for name in open_components} | open_inline
    for schema in all_schemas(document):
        if ("properties" in schema and "additionalProperties" not in schema
                and not any(keyword in schema for keyword in COMPOSITIONS)
                and id(schema) not in left_open):
            schema["additionalProperties"] = False
        if "oneOf" in schema and "discriminator" not in schema:
            discriminator = synthesised_discriminator(document, schema["oneOf"])
            if discriminator:
                schema["discriminator"] = discriminator
    return document


def synthesised_discriminator(document, branches):
    if not branches or not all("$ref" in branch for branch in branches):
        return None
    targets = [resolve(document, branch) for branch in branches]
    common = set.intersection(*(set(target.get("properties", {})) for target in targets))
    for name in sorted(common, key=lambda name: (name not in ("type", "provider"), name)):
        values = [single_value(target, name) for target in targets]
        if None not in values and len(set(map(json.dumps, values))) == len(values):
            return {"propertyName": name,
                    "mapping": {value: branch["$ref"] for value, branch in zip(values, branches)}}
    return None


def is_uri(value):
    """An absolute URI (RFC 3986 scheme, no spaces). jsonschema checks `uri`
    only when rfc3987 is installed; unchecked, "office" is a URI too and
    CreateAssistantDTO.backgroundSound (oneOf: "off"/"office", or a uri)
    matches both branches."""
    if not isinstance(value, str):
        return True
    scheme = urllib.parse.urlsplit(value).scheme
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme)) and not re.search(r"\s", value)


# OpenAPI 3.0's format checks (date-time, uuid, int32...), plus uri.
FORMAT_CHECKER = FormatChecker(formats=())
FORMAT_CHECKER.checkers = dict(oas30_format_checker.checkers)
FORMAT_CHECKER.checks("uri")(is_uri)
PLAIN_ONE_OF = OAS30Validator.VALIDATORS["oneOf"]


def discriminated_one_of(validator, one_of, instance, schema):
    """OAS30Validator's oneOf, with its discriminator handling made safe:
    a value outside the mapping is an enum error on the discriminating
    property (not an unresolvable `#/components/schemas/<value>`), and an
    instance that is not an object is a type error (not a crash)."""
    discriminator = schema.get("discriminator")
    if discriminator is None:
        yield from PLAIN_ONE_OF(validator, one_of, instance, schema)
        return
    if not validator.is_type(instance, "object"):
        yield ValidationError(f"{instance!r} is not of type 'object'", validator="type", validator_value="object")
        return
    name, mapping = discriminator["propertyName"], discriminator.get("mapping", {})
    value = instance.get(name)
    if not isinstance(value, str) or value not in mapping:
        yield ValidationError(f"{value!r} is not one of {sorted(mapping)!r}", validator="enum",
                              validator_value=sorted(mapping), path=[name], instance=value)
        return
    yield from validator.descend(instance, {"$ref": mapping[value]})


Validator = extend(OAS30Validator, {"oneOf": discriminated_one_of})


# ---------------------------------------------------------------------------
# NestJS-style messages for validation errors
# ---------------------------------------------------------------------------

TYPE_PHRASES = {
    "string": "must be a string",
    "number": "must be a number conforming to the specified constraints",
    "integer": "must be an integer number",
    "boolean": "must be a boolean value",
    "array": "must be an array",
    "object": "must be an object",
}
FORMAT_PHRASES = {
    "date-time": "must be a valid ISO 8601 date string",
    "uuid": "must be a UUID",
    "uri": "must be a URL address",
}


def messages_for(errors, base=()):
    """class-validator's wording ("name must be shorter than or equal to 40
    characters", "property foo should not exist"), nested ones prefixed with
    their parent's path as NestJS does ("model.property foo should not
    exist"); anything else is the validator's message after its path.
    `base` prefixes every path (the name of a query parameter)."""
    messages = []
    for error in sorted(errors, key=lambda error: [str(part) for part in error.absolute_path]):
        for message in describe(error, base):
            if message not in messages:
                messages.append(message)
    return messages


def describe(error, base=()):
    path = list(base) + list(error.absolute_path)
    where = ".".join(str(part) for part in path)
    subject = where or "body"
    prefix = f"{where}." if where else ""
    keyword, value = error.validator, error.validator_value
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        declared = error.schema.get("properties", {})
        return [f"{prefix}property {name} should not exist" for name in error.instance if name not in declared]
    if keyword == "required" and isinstance(error.instance, dict):
        return [f"{prefix}{name} should not be empty" for name in value if name not in error.instance]
    if keyword == "type":
        return [f"{subject} {TYPE_PHRASES.get(value, f'must be of type {value}')}"]
    if keyword == "enum":
        return [f"{subject} must be one of the following values: {', '.join(map(str, value))}"]
    if keyword in ("oneOf", "anyOf"):
        if not error.context:  # oneOf: more than one branch matched
            return [f"{subject} matches more than one of its allowed forms"]
        closest = "; ".join(describe(best_match(error.context), base))
        return [f"{subject} matches none of its allowed forms (closest: {closest})"]
    phrases = {
        "maxLength": f"must be shorter than or equal to {value} characters",
        "minLength": f"must be longer than or equal to {value} characters",
        "maximum": f"must not be greater than {value}",
        "minimum": f"must not be less than {value}",
        "maxItems": f"must contain no more than {value} elements",
        "minItems": f"must contain at least {value} elements",
        "pattern": f"must match {value} regular expression",
        "format": FORMAT_PHRASES.get(value, f"must be a valid {value}"),
    }
    if keyword in phrases:
        return [f"{subject} {phrases[keyword]}"]
    return [f"{subject}: {error.message}"]


# ---------------------------------------------------------------------------
# Operations of the document, and checking instances against it
# ---------------------------------------------------------------------------

def pointer(*parts):
    """A JSON pointer (RFC 6901) to `parts`."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


@dataclass
class Operation:
    method: str                 # "PATCH"
    template: str               # "/tool/{id}"
    regex: re.Pattern
    path_parameters: dict       # name -> schema
    query_parameters: dict      # name -> parameter object
    request_ref: str | None     # where the body schema is, in the strict document
    response_refs: dict         # status -> where its schema is, in the document


class ApiDocument:
    """The pruned document: its operations, and validators for them."""

    def __init__(self, document):
        responses = normalise(copy.deepcopy(document))
        requests = strict_for_requests(copy.deepcopy(responses))
        self.registry = Registry().with_resources([
            (REQUEST_DOCUMENT_URI, DRAFT4.create_resource(requests)),
            (RESPONSE_DOCUMENT_URI, DRAFT4.create_resource(responses)),
        ])
        self.operations = []
        for template, item in responses["paths"].items():
            # Express routes ignore one trailing slash (non-strict routing).
            regex = re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "/?$")
            for method, operation in item.items():
                parameters = operation.get("parameters", [])
                body = operation.get("requestBody", {}).get("content", {}).get("application/json")
                self.operations.append(Operation(
                    method=method.upper(),
                    template=template,
                    regex=regex,
                    path_parameters={p["name"]: p["schema"] for p in parameters if p["in"] == "path"},
                    query_parameters={p["name"]: p for p in parameters if p["in"] == "query"},
                    request_ref=(REQUEST_DOCUMENT_URI + "#" + pointer(
                        "paths", template, method, "requestBody", "content", "application/json", "schema")
                        if body else None),
                    response_refs={int(status): RESPONSE_DOCUMENT_URI + "#" + pointer(
                        "paths", template, method, "responses", status, "content", "application/json", "schema")
                        for status, answer in operation.get("responses", {}).items()
                        if "schema" in answer.get("content", {}).get("application/json", {})},
                ))
        self._validators = {}

    def match(self, method, path):
        """(operation, path parameters) for a request, or (None, None)."""
        for operation in self.operations:
            found = operation.regex.match(path)
            if found and operation.method == method:
                return operation, {name: urllib.parse.unquote(value) for name, value in found.groupdict().items()}
        return None, None

    def operation(self, method, template):
        return next(op for op in self.operations if (op.method, op.template) == (method, template))

    def errors(self, schema, instance):
        """Validation errors of `instance` against `schema`, whose $refs
        resolve in the documents (a schema or the URI of one)."""
        if isinstance(schema, str):
            schema = {"$ref": schema}
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            self._validators[key] = Validator(schema, registry=self.registry, format_checker=FORMAT_CHECKER)
        return list(self._validators[key].iter_errors(instance))


# ---------------------------------------------------------------------------
# Time, answers, faults and pacing
# ---------------------------------------------------------------------------

def format_instant(milliseconds):
    moment = datetime.datetime.fromtimestamp(milliseconds // 1000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{milliseconds % 1000:03d}Z"


def parse_instant(text):
    """An aware datetime for an ISO 8601 string (UTC when it has no offset),
    or None."""
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


class Clock:
    """Server timestamps (`createdAt`, `updatedAt`, `format: date-time` in
    the document): ISO 8601 UTC with milliseconds, as JavaScript's
    Date.toISOString() writes them (Vapi runs on Node; the document's examples
    read "2021-01-01T00:00:00.000Z"). Strictly increasing over the fake's
    life, at least 1 ms apart, so no two writes share one."""

    def __init__(self):
        self._last = 0

    def next(self):
        self._last = max(time.time_ns() // 1_000_000, self._last + 1)
        return format_instant(self._last)


@dataclass
class Answer:
    status: int
    body: object = None
    headers: dict = field(default_factory=dict)
    drop: bool = False          # close the connection instead of answering


class Reply(Exception):
    """Ends the handling of a request with `answer`."""

    def __init__(self, answer):
        super().__init__(answer.status)
        self.answer = answer


def vapi_error(status, message, error=None):
    """Vapi's error body: NestJS's HttpException shape."""
    body = {"message": message}
    if error:
        body["error"] = error
    body["statusCode"] = status
    return Answer(status, body)


def bad_request(messages):
    return vapi_error(400, messages, "Bad Request")


def not_found():
    return vapi_error(404, "Not Found")


def fake_error(status, message):
    """An error about the use of the fake itself (not one Vapi would give)."""
    return vapi_error(status, f"fake: {message}")


@dataclass
class Fault:
    kind: str
    method: str | None = None
    path: str | None = None
    times: int = 1
    status: int | None = None
    retry_after: str | None = None
    body: object = None
    seconds: float | None = None
    exact: bool = False

    KINDS = ("status", "drop-after-commit", "delay", "ignore-write")

    @classmethod
    def from_json(cls, value):
        if not isinstance(value, dict):
            raise ValueError("a fault is an object")
        unknown = set(value) - {"kind", "method", "path", "times", "status", "retry_after", "body", "seconds", "exact"}
        if unknown:
            raise ValueError(f"unknown fault fields {sorted(unknown)}")
        fault = cls(kind=value.get("kind"), method=value.get("method"), path=value.get("path"),
                    times=value.get("times", 1), status=value.get("status"), body=value.get("body"),
                    seconds=value.get("seconds"), exact=value.get("exact", False),
                    retry_after=None if value.get("retry_after") is None else str(value["retry_after"]))
        if fault.kind not in cls.KINDS:
            raise ValueError(f"kind must be one of {', '.join(cls.KINDS)}")
        if fault.method is not None and not isinstance(fault.method, str):
            raise ValueError("method must be a string")
        if fault.path is not None and not isinstance(fault.path, str):
            raise ValueError("path must be a string")
        if not isinstance(fault.exact, bool):
            raise ValueError("exact must be true or false")
        if not isinstance(fault.times, int) or isinstance(fault.times, bool) or fault.times < 1:
            raise ValueError("times must be a positive integer")
        if fault.kind == "status" and not (isinstance(fault.status, int) and 100 <= fault.status <= 599):
            raise ValueError("a status fault needs status, an HTTP status code")
        if fault.kind == "delay" and not (isinstance(fault.seconds, (int, float)) and fault.seconds >= 0):
            raise ValueError("a delay fault needs seconds, a number >= 0")
        return fault

    def matches(self, method, path):
        return ((self.method is None or self.method.upper() == method)
                and (self.path is None or (path == self.path if self.exact else path.startswith(self.path))))

    def answer(self):
        body = self.body
        if body is None:
            body = {"message": http.HTTPStatus(self.status).phrase, "statusCode": self.status}
        return Answer(self.status, body, {"Retry-After": self.retry_after} if self.retry_after else {})

    def to_json(self):
        return {key: value for key, value in self.__dict__.items() if value is not None}


class RateLimiter:
    """A token bucket per API token: `rate` requests in a burst, refilled at
    `rate` per second. Vapi limits per organisation and does not publish the
    limit (NOTES.md §4: "Per-org limit, not published"); a 0 rate is none."""

    def __init__(self, rate):
        self.rate = rate
        self.buckets = {}       # token -> (tokens left, monotonic time)

    def allow(self, token):
        if self.rate <= 0:
            return True
        now = time.monotonic()
        tokens, then = self.buckets.get(token, (self.rate, now))
        tokens = min(self.rate, tokens + (now - then) * self.rate)
        allowed = tokens >= 1
        self.buckets[token] = (tokens - 1 if allowed else tokens, now)
        return allowed


# ---------------------------------------------------------------------------
# The fake: Vapi's operations and the test controls
# ---------------------------------------------------------------------------

# List filters on instants; the document: "This will return items where the
# createdAt is greater than the specified value", and so on.
INSTANT_FILTERS = {
    f"{field_name}{suffix}": (field_name, compare)
    for field_name in ("createdAt", "updatedAt")
    for suffix, compare in (("Gt", lambda a, b: a > b), ("Lt", lambda a, b: a < b),
                            ("Ge", lambda a, b: a >= b), ("Le", lambda a, b: a <= b))
}
DEFAULT_LIMIT = 100     # the document: "Defaults to 100." (maximum 1000 is in its schema)


class FakeVapi:
    """Everything but HTTP: routes a request to an answer."""

    def __init__(self, api, token, rate, max_page=None):
        self.api = api
        self.token = token
        self.rate = rate
        self.max_page = max_page
        self.org_id = str(uuid.uuid4())  # one organisation per fake
        self.clock = Clock()
        self.lock = threading.RLock()
        self.handlers = {
            ("GET", "/assistant"): lambda op, ids, query, body: self.list_resources("assistants", query),
            ("POST", "/assistant"): lambda op, ids, query, body: self.create("assistants", op, body),
            ("GET", "/assistant/{id}"): lambda op, ids, query, body: self.get("assistants", ids["id"]),
            ("PATCH", "/assistant/{id}"): lambda op, ids, query, body: self.update("assistants", op, ids["id"], body),
            ("GET", "/tool"): lambda op, ids, query, body: self.list_resources("tools", query),
            ("POST", "/tool"): lambda op, ids, query, body: self.create("tools", op, body),
            ("GET", "/tool/{id}"): lambda op, ids, query, body: self.get("tools", ids["id"]),
            ("PATCH", "/tool/{id}"): lambda op, ids, query, body: self.update_tool(op, ids["id"], body),
            ("DELETE", "/tool/{id}"): lambda op, ids, query, body: self.delete("tools", ids["id"]),
            ("GET", "/call"): lambda op, ids, query, body: self.list_resources("calls", query),
            ("GET", "/call/{id}"): lambda op, ids, query, body: self.get("calls", ids["id"]),
            ("DELETE", "/call/{id}"): lambda op, ids, query, body: self.delete_call(op, ids["id"], body),
        }
        missing = {(op.method, op.template) for op in api.operations} - set(self.handlers)
        if missing:
            raise ValueError(f"the document has operations the fake does not serve: {sorted(missing)}")
        self.reset()

    def reset(self):
        with self.lock:
            self.resources = {"assistants": {}, "tools": {}, "calls": {}}
            self.requests = []
            self.faults = []
            self.failures = []
            self.limiter = RateLimiter(self.rate)

    # -- the API --------------------------------------------------------------

    def api_request(self, method, target, headers, raw_body):
        split = urllib.parse.urlsplit(target)
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        body, body_error = parse_body(raw_body, headers.get("Content-Type"))
        entry = {"method": method, "path": split.path,
                 "query": {name: values[0] if len(values) == 1 else values for name, values in query.items()},
                 "body": body if body_error is None else raw_body.decode("utf-8", "replace"),
                 "status": None, "fault": None}
        with self.lock:
            self.requests.append(entry)  # in order of arrival; status is set when answered
        try:
            answer = self.serve(method, target, split.path, query, headers, body, body_error, entry)
        except Reply as reply:
            answer = reply.answer
        except Exception:  # a bug of the fake: make it visible to the test
            traceback.print_exc(file=sys.stderr)
            answer = fake_error(500, "internal error: " + traceback.format_exc(limit=1).strip().splitlines()[-1])
            with self.lock:
                self.failures.append({"method": method, "path": split.path, "status": 500,
                                      "errors": [answer.body["message"]]})
        entry["status"] = answer.status
        return answer

    def serve(self, method, target, path, query, headers, body, body_error, entry):
        operation, path_values = self.api.match(method, path)
        if operation is None:
            # NestJS answers an unknown route, or a method a path does not
            # declare, with 404 "Cannot GET /x" (Express's originalUrl).
            raise Reply(vapi_error(404, f"Cannot {method} {target}", "Not Found"))
        # The document: `security: [{"bearer": []}]` on every operation.
        if headers.get("Authorization") != f"Bearer {self.token}":
            raise Reply(vapi_error(401, "Unauthorized"))
        with self.lock:
            allowed = self.limiter.allow(self.token)
            fault = self.take_fault(method, path)
        if not allowed:
            # NOTES.md §4: Vapi answers 429; gitops retries 429 (src/api.ts).
            raise Reply(Answer(429, {"message": "Too Many Requests", "statusCode": 429}, {"Retry-After": "1"}))
        if fault:
            entry["fault"] = fault.kind
            if fault.kind == "status":
                raise Reply(fault.answer())
            if fault.kind == "delay":
                time.sleep(fault.seconds)
        try:
            if body_error:
                raise Reply(bad_request(body_error))
            query_values = self.checked_parameters(operation, path_values, query)
            if fault and fault.kind == "ignore-write":
                # Answered as a GET of the same path: the object as it was.
                operation, path_values = self.api.match("GET", path)
                query_values, body = {}, None
            with self.lock:
                handler = self.handlers[(operation.method, operation.template)]
                answer = self.checked_answer(operation, path, handler(operation, path_values, query_values, body))
        except Reply as reply:
            answer = reply.answer
        # drop-after-commit: whatever the request did is done; its answer is lost.
        answer.drop = bool(fault and fault.kind == "drop-after-commit")
        return answer

    def take_fault(self, method, path):
        for fault in self.faults:
            if fault.matches(method, path):
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def checked_parameters(self, operation, path_values, query):
        """The query's values, typed; Reply 400 when a parameter is not
        declared or does not match its schema (NestJS ValidationPipe with
        whitelist and forbidNonWhitelisted, as for bodies)."""
        for name, schema in operation.path_parameters.items():
            # The document declares `format: uuid` for `{id}`; NestJS's
            # ParseUUIDPipe words the error so.
            if self.api.errors(schema, path_values[name]):
                raise Reply(bad_request(f"Validation failed ({schema.get('format', schema.get('type'))} is expected)"))
        messages = [f"property {name} should not exist" for name in query if name not in operation.query_parameters]
        values = {}
        for name, parameter in operation.query_parameters.items():
            if name not in query:
                if parameter.get("required"):
                    messages.append(f"{name} should not be empty")
                continue
            if len(query[name]) > 1:
                messages.append(f"{name} must be a single value")
                continue
            value, problems = query_value(self.api, name, parameter["schema"], query[name][0])
            messages += problems
            values[name] = value
        if messages:
            raise Reply(bad_request(messages))
        return values

    def checked_body(self, operation, body):
        """The body, or Reply 400 with what is wrong with it. Checked against
        the strict document: objects closed, unions discriminated. No body is
        {}: Express hands NestJS an empty object then."""
        if body is None:
            body = {}
        problems = self.api.errors(operation.request_ref, body)
        if problems:
            raise Reply(bad_request(messages_for(problems)))
        return body

    def checked_answer(self, operation, path, answer):
        """NOTES.md "Testing a provider offline" §2: every answer is checked
        against the document's schema for its status, so the fake cannot
        drift from it. A mismatch becomes a 500 and a recorded failure."""
        if not 200 <= answer.status < 300:
            return answer
        ref = operation.response_refs.get(answer.status)
        if ref is None:
            problems = [f"the document declares no {answer.status} answer for {operation.method} {operation.template}"]
        else:
            problems = messages_for(self.api.errors(ref, answer.body))
        if not problems:
            return answer
        self.failures.append({"method": operation.method, "path": path, "status": answer.status,
                              "errors": problems})
        return vapi_error(500, "fake: response does not match the document: " + "; ".join(problems))

    # -- resources -----------------------------------------------------------

    def stored(self, kind, resource_id):
        resource = self.resources[kind].get(resource_id)
        if resource is None:
            raise Reply(not_found())
        return resource

    def list_resources(self, kind, query):
        """Newest `createdAt` first (ties: the later stored first), filtered
        by the document's query parameters, at most `limit`."""
        found = sorted(reversed(list(self.resources[kind].values())),
                       key=lambda resource: parse_instant(resource["createdAt"]), reverse=True)
        for name, value in query.items():
            if name in INSTANT_FILTERS:
                field_name, compare = INSTANT_FILTERS[name]
                found = [r for r in found if compare(parse_instant(r[field_name]), value)]
            elif name != "limit":
                # GET /call's id, assistantId, phoneNumberId: "This will
                # return calls with the specified assistantId", etc.
                found = [r for r in found if r.get(name) == value]
        limit = query.get("limit", DEFAULT_LIMIT)
        # --max-page: a Vapi answering fewer than `limit` while more remain.
        if self.max_page is not None:
            limit = min(limit, self.max_page)
        return Answer(200, copy.deepcopy(found[:math.floor(limit)]))

    def get(self, kind, resource_id):
        return Answer(200, copy.deepcopy(self.stored(kind, resource_id)))

    def create(self, kind, operation, body):
        body = self.checked_body(operation, body)
        now = self.clock.next()
        # Server-managed fields: the document's Assistant and tools require
        # id, orgId, createdAt and updatedAt; the Create DTOs have none.
        resource = {"id": str(uuid.uuid4()), "orgId": self.org_id, "createdAt": now, "updatedAt": now, **body}
        self.resources[kind][resource["id"]] = resource
        return Answer(201, copy.deepcopy(resource))

    def update(self, kind, operation, resource_id, body):
        body = self.checked_body(operation, body)
        resource = self.stored(kind, resource_id)
        # NOTES.md §4 (VapiAI/gitops docs/learnings/assistants.md, "PATCH
        # /assistant/:id semantics"): partial at the top level only; every
        # field sent is replaced wholesale, fields not sent stay.
        resource.update(body)
        resource["updatedAt"] = self.clock.next()
        return Answer(200, copy.deepcopy(resource))

    def update_tool(self, operation, tool_id, body):
        tool = self.stored("tools", tool_id)
        # The document's PATCH /tool body is a oneOf discriminated by `type`;
        # the fake only lets a tool be updated through its own type's
        # Update...ToolDTO.
        if isinstance(body, dict) and "type" in body and body["type"] != tool["type"]:
            raise Reply(bad_request([f"type must be {tool['type']} (the type of tool {tool_id})"]))
        return self.update("tools", operation, tool_id, body)

    def delete(self, kind, resource_id):
        return Answer(200, copy.deepcopy(self.resources[kind].pop(self.stored(kind, resource_id)["id"])))

    def delete_call(self, operation, call_id, body):
        # The document's DELETE /call/{id} takes a DeleteCallDTO body; Express
        # hands NestJS {} when none is sent, which it accepts (no required
        # field), so the body is optional in practice.
        body = self.checked_body(operation, body)
        if body.get("ids"):
            # DeleteCallDTO.ids: "bulk deleted ... asynchronous": not simulated.
            raise Reply(fake_error(501, "bulk deletion (DeleteCallDTO.ids) is not simulated"))
        return self.delete("calls", call_id)

    # -- test controls ---------------------------------------------------------

    def control(self, method, target, raw_body):
        path = urllib.parse.urlsplit(target).path
        body, body_error = parse_body(raw_body, "application/json")
        if body_error:
            return fake_error(400, "; ".join(body_error))
        edit = re.fullmatch(r"/__fake/(assistants|tools)/([^/]+)/edit", path)
        created = re.fullmatch(r"/__fake/(assistants|tools)/([^/]+)/created", path)
        routes = {
            ("POST", "/__fake/calls"): lambda: self.seed_calls(body),
            ("POST", "/__fake/faults"): lambda: self.add_faults(body),
            ("GET", "/__fake/faults"): lambda: Answer(200, [fault.to_json() for fault in self.faults]),
            ("GET", "/__fake/requests"): lambda: Answer(200, copy.deepcopy(self.requests)),
            ("DELETE", "/__fake/requests"): lambda: self.requests.clear() or Answer(200, []),
            ("GET", "/__fake/state"): lambda: Answer(200, {kind: list(copy.deepcopy(items).values())
                                                         for kind, items in self.resources.items()}),
            ("GET", "/__fake/failures"): lambda: Answer(200, copy.deepcopy(self.failures)),
            ("POST", "/__fake/reset"): lambda: self.reset() or Answer(200, {}),
        }
        with self.lock:
            try:
                if edit and method == "POST":
                    return self.edit(edit[1], urllib.parse.unquote(edit[2]), body)
                if created and method == "POST":
                    return self.set_created(created[1], urllib.parse.unquote(created[2]), body)
                if (method, path) in routes:
                    return routes[(method, path)]()
            except Reply as reply:
                return reply.answer
        return fake_error(404, f"no control {method} {path}")

    def set_created(self, kind, resource_id, instant):
        """Makes a resource look created at `instant` (a JSON string): Vapi
        creates many in one millisecond when a script makes them at once."""
        if not isinstance(instant, str) or parse_instant(instant) is None:
            raise Reply(fake_error(400, "a creation time is an ISO 8601 instant"))
        resource = self.stored(kind, resource_id)
        resource["createdAt"] = instant
        return Answer(200, copy.deepcopy(resource))

    def edit(self, kind, resource_id, changes):
        """A dashboard edit: the same top-level wholesale merge as PATCH
        (NOTES.md "Testing a provider offline" §4, out-of-band edit hook)."""
        if not isinstance(changes, dict):
            raise Reply(fake_error(400, "an edit is a JSON object"))
        managed = [name for name in changes if name in SERVER_FIELDS]
        if managed:
            raise Reply(fake_error(400, f"server-managed fields cannot be edited: {', '.join(managed)}"))
        resource = self.stored(kind, resource_id)
        edited = {**resource, **changes}
        template = "/assistant/{id}" if kind == "assistants" else "/tool/{id}"
        problems = messages_for(self.api.errors(self.api.operation("GET", template).response_refs[200], edited))
        if problems:
            raise Reply(vapi_error(400, problems, "Bad Request"))
        resource.update(changes)
        resource["updatedAt"] = self.clock.next()
        return Answer(200, copy.deepcopy(resource))

    def seed_calls(self, calls):
        """Stores calls as Vapi would have made them. Server fields the test
        gives are kept (equal timestamps are what cursor tests need); missing
        ones are filled in. An existing id is replaced, as when Vapi updates a
        call (its analysis arrives), keeping its createdAt. All or nothing."""
        if not isinstance(calls, list) or not all(isinstance(call, dict) for call in calls):
            raise Reply(fake_error(400, "calls are a JSON array of objects"))
        schema = self.api.operation("GET", "/call/{id}").response_refs[200]
        prepared, problems = [], []
        for index, call in enumerate(calls):
            now = self.clock.next()
            existing = self.resources["calls"].get(call.get("id"), {})
            prepared.append({"id": str(uuid.uuid4()), "orgId": self.org_id,
                             "createdAt": existing.get("createdAt", now), "updatedAt": now, **call})
            problems += messages_for(self.api.errors(schema, prepared[-1]), base=(index,))
        if problems:
            raise Reply(vapi_error(400, problems, "Bad Request"))
        for call in prepared:
            self.resources["calls"][call["id"]] = call
        return Answer(201, copy.deepcopy(prepared))

    def add_faults(self, value):
        try:
            faults = [Fault.from_json(item) for item in (value if isinstance(value, list) else [value])]
        except ValueError as error:
            raise Reply(fake_error(400, str(error))) from None
        self.faults.extend(faults)
        return Answer(201, [fault.to_json() for fault in self.faults])


def parse_body(raw, content_type):
    """(JSON value or None, None) or (None, [error message])."""
    if not raw:
        return None, None
    if "json" not in (content_type or ""):
        # Express's JSON parser reads application/json only; Vapi would see no
        # body at all, which is never what a test means.
        return None, ["fake: a request body must be sent as application/json"]
    try:
        return json.loads(raw), None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, [f"Unexpected token in JSON: {error}"]


def query_value(api, name, schema, raw):
    """(typed value, [problems]) of a query parameter. Query strings are text:
    `number` parameters must parse as numbers and date-time ones as ISO 8601
    instants before the schema's other constraints apply."""
    kind = schema.get("type")
    if kind in ("number", "integer"):
        try:
            value = float(raw)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or (kind == "integer" and not value.is_integer()):
            return None, [f"{name} {TYPE_PHRASES[kind]}"]
        value = int(value) if value.is_integer() else value
    elif kind == "boolean":
        if raw not in ("true", "false"):
            return None, [f"{name} {TYPE_PHRASES[kind]}"]
        value = raw == "true"
    elif schema.get("format") == "date-time":
        moment = parse_instant(raw)
        if moment is None:
            return None, [f"{name} {FORMAT_PHRASES['date-time']}"]
        return moment, []
    else:
        value = raw
    return value, messages_for(api.errors(schema, value), base=(name,))


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as clients expect of Vapi
    server_version = "fake-vapi"

    def do_GET(self):
        self.dispatch()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def dispatch(self):
        app = self.server.app
        try:
            raw_body = self.read_body()
        except ValueError as error:
            self.send(fake_error(400, str(error)))
            self.close_connection = True
            return
        path = urllib.parse.urlsplit(self.path).path
        if path == "/__fake" or path.startswith("/__fake/"):
            answer = app.control(self.command, self.path, raw_body)
        else:
            answer = app.api_request(self.command, self.path, self.headers, raw_body)
        if answer.drop:
            # drop-after-commit: the write is done; close without a word.
            self.log_message('"%s" dropped after commit', self.requestline)
            self.close_connection = True
            return
        self.send(answer)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.isdigit():
            raise ValueError("bad Content-Length")
        return self.rfile.read(int(length))

    def send(self, answer):
        payload = b"" if answer.body is None else json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's name)
        if self.server.verbose:
            sys.stderr.write(f"fake_vapi: {email.utils.formatdate(usegmt=True)} {format % args}\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class Stop(Exception):
    pass


def stop(signum, frame):
    raise Stop


def main(argv=None):
    parser = argparse.ArgumentParser(description="A fake of Vapi's HTTP API for tests.")
    parser.add_argument("--spec", required=True, help="the pruned OpenAPI document (Tests/VapiFake/openapi.json)")
    parser.add_argument("--token", required=True, help="the API key clients must send as a Bearer token")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 (default) picks a free one")
    parser.add_argument("--rate", type=float, default=0,
                        help="requests per second per token before 429; 0 (default) is unlimited")
    parser.add_argument("--max-page", type=int, default=None,
                        help="the most items a list answers, whatever `limit` asks (default: as asked)")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)
    try:
        with open(args.spec, encoding="utf-8") as spec:
            app = FakeVapi(ApiDocument(json.load(spec)), args.token, args.rate, args.max_page)
    except (OSError, ValueError, KeyError) as error:
        print(f"fake_vapi: cannot use {args.spec}: {error}", file=sys.stderr)
        return 2
    server = Server(("127.0.0.1", args.port), Handler)
    server.app, server.verbose = app, args.verbose
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # A parent may start us with these signals blocked (a mask is inherited
    # across exec): unblock them, or SIGTERM would never stop the fake.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except Stop:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
