"""The open data API's reference page (/api/docs): each operation with its method, path, summary,
description, parameters, responses, response fields and an example request, and every object
they answer with, all read from the API's own OpenAPI schema (`api.get_openapi_schema()`), so
the page cannot drift from the API. It is one of the site's GOV.UK pages, in English and, with
its headings in Welsh, under /cy/; what the schema says stays in English.

It replaces django-ninja's Swagger UI, which needed JavaScript and failed WCAG 2.2 AA (contrast,
no page language, controls inside controls, small targets).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET

from consult.open_data.api import LICENCE, api
from consult.open_data.queries import published_consultations, published_outcomes

REF_PREFIX = "#/components/schemas/"
METHODS = ["get", "post", "put", "patch", "delete"]


@dataclass(frozen=True)
class Text:
    """A piece of a sentence from the schema: plain, `code` (in backticks there), or the name of
    an object of the reference, linked to its section."""

    text: str
    is_code: bool = False
    object_name: str = ""


@dataclass(frozen=True)
class Field:
    name: str
    type: list[Text]
    is_required: bool
    description: list[Text]
    rules: list[str]  # the schema's constraints in the page's language: default, range, pattern


@dataclass(frozen=True)
class Parameter(Field):
    location: str  # "path" or "query"


@dataclass(frozen=True)
class Answer:
    status: str
    description: str
    type: list[Text]


@dataclass(frozen=True)
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: list[Text]
    parameters: list[Parameter]
    answers: list[Answer]
    result_type: list[Text]
    result_object: str  # the object whose fields the successful answer holds (or lists)
    result_fields: list[Field]
    example: str  # a curl command


@dataclass(frozen=True)
class SchemaObject:
    name: str
    anchor: str
    description: list[Text]
    fields: list[Field]
    values: list[str]  # for an enumeration: the values it may take


@dataclass(frozen=True)
class Reference:
    title: str
    version: str
    description: list[Text]
    base_url: str
    operations: list[Operation]
    objects: list[SchemaObject]


def object_anchor(name: str) -> str:
    return f"object-{name}"


def operation_anchor(method: str, path: str) -> str:
    """`get-api-consultations-slug-outcome` for GET /api/consultations/{slug}/outcome."""
    return re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-")


def sentence(text: str) -> list[Text]:
    """The schema's Markdown kept to what it uses: `code` in backticks."""
    return [Text(part, is_code=index % 2 == 1) for index, part in enumerate(re.split(r"`([^`]*)`", text)) if part]


def _ref_name(schema: dict[str, Any]) -> str:
    return schema["$ref"].removeprefix(REF_PREFIX) if "$ref" in schema else ""


def type_of(schema: dict[str, Any]) -> list[Text]:
    """A JSON schema's type in the notation API users read everywhere: `Name`, `Name[]`,
    `string | null`, `string (date-time)`, `object<string, string>`."""
    if name := _ref_name(schema):
        return [Text(name, is_code=True, object_name=name)]
    if "anyOf" in schema:
        parts: list[Text] = []
        for index, option in enumerate(schema["anyOf"]):
            if index:
                parts.append(Text(" | ", is_code=True))
            parts += type_of(option)
        return parts
    kind = schema.get("type", "any")
    if kind == "array":
        return [*type_of(schema.get("items", {})), Text("[]", is_code=True)]
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return [
            Text("object<string, ", is_code=True),
            *type_of(schema["additionalProperties"]),
            Text(">", is_code=True),
        ]
    if "format" in schema:
        return [Text(f"{kind} ({schema['format']})", is_code=True)]
    return [Text(kind, is_code=True)]


def rules_of(schema: dict[str, Any]) -> list[str]:
    """The constraints a value must meet, in the page's language."""
    rules = []
    if "default" in schema:
        rules.append(gettext("Default: %(value)s.") % {"value": schema["default"]})
    if "minimum" in schema:
        rules.append(gettext("At least %(value)s.") % {"value": schema["minimum"]})
    if "maximum" in schema:
        rules.append(gettext("At most %(value)s.") % {"value": schema["maximum"]})
    if "maxLength" in schema:
        rules.append(gettext("At most %(count)s characters.") % {"count": schema["maxLength"]})
    if "pattern" in schema:
        rules.append(gettext("Matches the pattern %(pattern)s.") % {"pattern": schema["pattern"]})
    return rules


def fields_of(schema: dict[str, Any]) -> list[Field]:
    required = set(schema.get("required", []))
    return [
        Field(
            name=name,
            type=type_of(field),
            is_required=name in required,
            description=sentence(field.get("description", "")),
            rules=rules_of(field),
        )
        for name, field in schema.get("properties", {}).items()
    ]


def _referenced(schema: object) -> list[str]:
    """The names of the objects a part of the schema refers to, in the order they appear."""
    if isinstance(schema, dict):
        found = [_ref_name(schema)] if "$ref" in schema else []
        for value in schema.values():
            found += _referenced(value)
        return found
    if isinstance(schema, list):
        return [name for value in schema for name in _referenced(value)]
    return []


def _json_body(answer: dict[str, Any]) -> dict[str, Any]:
    return answer.get("content", {}).get("application/json", {}).get("schema", {})


def example_request(base: str, path: str, parameters: list[dict[str, Any]], examples: dict[str, str]) -> str:
    """A curl command that calls the operation: path parameters filled in from `examples` and
    query parameters at their defaults."""
    url = path
    for parameter in parameters:
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", examples.get(parameter["name"], parameter["name"]))
    query = {p["name"]: p["schema"]["default"] for p in parameters if p["in"] == "query" and "default" in p["schema"]}
    if query:
        url += "?" + urlencode(query)
    return f"curl {shlex.quote(base + url)}"


def build_reference(schema: dict[str, Any], base: str, examples: dict[str, str]) -> Reference:
    """The reference of an OpenAPI 3 schema. `base` is the site's address (the schema's paths
    start with /api/); `examples` holds a value for each path parameter of the example requests."""
    components = schema.get("components", {}).get("schemas", {})
    operations = []
    order: list[str] = []
    for path, methods in schema["paths"].items():
        for method in METHODS:
            if method not in methods:
                continue
            spec = methods[method]
            parameters = spec.get("parameters", [])
            answers = spec.get("responses", {})
            success = _json_body(answers.get("200", {}))
            result_object = _ref_name(success) or _ref_name(success.get("items", {}))
            operations.append(
                Operation(
                    anchor=operation_anchor(method, path),
                    method=method.upper(),
                    path=path,
                    summary=spec.get("summary", ""),
                    description=sentence(spec.get("description", "")),
                    parameters=[
                        Parameter(
                            name=parameter["name"],
                            location=parameter["in"],
                            type=type_of(parameter["schema"]),
                            is_required=parameter.get("required", False),
                            description=sentence(parameter.get("description", "")),
                            rules=rules_of(parameter["schema"]),
                        )
                        for parameter in parameters
                    ],
                    answers=[
                        Answer(status, answer.get("description", ""), type_of(_json_body(answer)))
                        for status, answer in sorted(answers.items())
                    ],
                    result_type=type_of(success),
                    result_object=result_object,
                    result_fields=fields_of(components.get(result_object, {})),
                    example=example_request(base, path, parameters, examples),
                )
            )
            order += _referenced(answers)
    # Every object an answer holds, followed through the objects inside it, in first-seen order.
    seen: list[str] = []
    while order:
        name = order.pop(0)
        if name not in seen and name in components:
            seen.append(name)
            order += _referenced(components[name])
    objects = [
        SchemaObject(
            name=name,
            anchor=object_anchor(name),
            description=sentence(components[name].get("description", "")),
            fields=fields_of(components[name]),
            values=[str(value) for value in components[name].get("enum", [])],
        )
        for name in seen
    ]
    info = schema.get("info", {})
    return Reference(
        title=info.get("title", ""),
        version=info.get("version", ""),
        description=sentence(info.get("description", "")),
        base_url=base + "/api/",
        operations=operations,
        objects=objects,
    )


def _example_slug() -> str:
    """A real slug for the example requests: a consultation whose outcome is published (every
    operation answers for it), else any published one."""
    outcome = published_outcomes().values_list("consultation__slug", flat=True).first()
    return outcome or published_consultations().values_list("slug", flat=True).first() or "consultation-slug"


@require_GET
def api_reference(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    reference = build_reference(api.get_openapi_schema(), base, {"slug": _example_slug()})
    return render(
        request,
        "open_data/api_reference.html",
        {
            "reference": reference,
            "licence": LICENCE,
            # What the schema says is written in English: marked so on the Welsh page.
            "schema_lang": "en" if get_language() == "cy" else "",
        },
    )
