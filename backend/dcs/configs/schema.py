"""The JSON Schema (draft 2020-12) of a device type, and checking documents against it.

Problems come back as [{field, error}] with the field written as a path (`channels[3].voltage`). A
schema may give a numeric parameter a tolerance for comparing stored with live values:
`"x-tolerance": 0.5` (absolute) or `"x-tolerance": "2%"` (relative to the stored value). Schemas
never fetch anything: a `$ref` may point only inside the schema itself.
"""

import json
import re

import jsonschema
from jsonschema.exceptions import SchemaError
from referencing import Registry
from referencing.exceptions import Unresolvable

from ..errors import bad_request
from .documents import MAX_BYTES, check_document, path_text

Validator = jsonschema.Draft202012Validator
MAX_PROBLEMS = 50
TOLERANCE = re.compile(r"(\d+(?:\.\d+)?)%")


def _no_remote(uri):
    raise Unresolvable(uri)


REGISTRY = Registry(retrieve=_no_remote)


def check_schema(schema):
    """schema if it is a valid draft 2020-12 JSON Schema for objects, else a 400 naming the problem."""
    check_document(schema, "schema")
    if len(json.dumps(schema)) > MAX_BYTES:
        raise bad_request("The schema is too large.")
    try:
        Validator.check_schema(schema)
    except SchemaError as error:
        where = path_text(list(error.path)) if error.path else "the top"
        raise bad_request(f"The schema is not a valid JSON Schema at {where}: {error.message}.",
                          errors=[{"field": "schema", "error": error.message}]) from None
    if schema.get("type", "object") != "object":
        raise bad_request("A configuration schema describes an object: its type must be \"object\".",
                          errors=[{"field": "schema", "error": "The type must be object."}])
    for parts, node in _nodes(schema):
        tolerance = node.get("x-tolerance") if isinstance(node, dict) else None
        if tolerance is not None and parse_tolerance(tolerance) is None:
            raise bad_request(f"The x-tolerance at {path_text(parts)} must be a number or a percentage like \"2%\".",
                              errors=[{"field": "schema", "error": "Bad x-tolerance."}])
    return schema


def _nodes(node, parts=()):
    yield parts, node
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                yield from _nodes(value, parts + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nodes(value, parts + (i,))


WORDS = {
    "minimum": lambda v, x: f"must be at least {v} (it is {x!r})",
    "maximum": lambda v, x: f"must be at most {v} (it is {x!r})",
    "exclusiveMinimum": lambda v, x: f"must be more than {v} (it is {x!r})",
    "exclusiveMaximum": lambda v, x: f"must be less than {v} (it is {x!r})",
    "type": lambda v, x: f"must be {' or '.join(v) if isinstance(v, list) else v} (it is {json.dumps(x)[:60]})",
    "enum": lambda v, x: f"must be one of {', '.join(json.dumps(i) for i in v)[:200]}",
    "const": lambda v, x: f"must be {json.dumps(v)}",
    "minLength": lambda v, x: f"must have at least {v} characters",
    "maxLength": lambda v, x: f"must have at most {v} characters",
    "pattern": lambda v, x: f"must match the pattern {v}",
    "minItems": lambda v, x: f"must have at least {v} items",
    "maxItems": lambda v, x: f"must have at most {v} items",
    "uniqueItems": lambda v, x: "must not repeat items",
    "multipleOf": lambda v, x: f"must be a multiple of {v}",
}


def _message(error):
    """A sentence about one failed keyword, in words a detector expert reads at 3 a.m."""
    words = WORDS.get(error.validator)
    return words(error.validator_value, error.instance) if words else error.message


def problems(schema, document):
    """[{field, error}] of document against schema (empty when it is valid), leaves first."""
    validator = Validator(schema, registry=REGISTRY)
    out = []
    try:
        errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.path])
        for error in errors[:MAX_PROBLEMS]:
            parts = list(error.path)
            if error.validator == "required":
                missing = [name for name in error.validator_value
                           if isinstance(error.instance, dict) and name not in error.instance]
                for name in missing:
                    out.append({"field": path_text(parts + [name]), "error": "is required"})
                continue
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                allowed = set(error.schema.get("properties", {}))
                for name in error.instance:
                    if name not in allowed:
                        out.append({"field": path_text(parts + [name]), "error": "is not a known parameter"})
                continue
            out.append({"field": path_text(parts), "error": _message(error)})
    except Unresolvable as error:
        out.append({"field": "(schema)", "error": f"the schema refers to {error}, which is not inside it"})
    return out


def validate(schema, document, field="config"):
    """document, or a 400 whose sentence names the first failing fields and whose errors list them all."""
    found = problems(schema, document)
    if found:
        listed = "; ".join(f"{p['field']} {p['error']}" for p in found[:3])
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        raise bad_request(f"The configuration does not match its schema: {listed}{more}.", errors=found)
    return document


def parse_tolerance(value):
    """0.5 -> ("abs", 0.5); "2%" -> ("rel", 0.02); anything else -> None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return ("abs", float(value))
    if isinstance(value, str):
        match = TOLERANCE.fullmatch(value.strip())
        if match:
            return ("rel", float(match.group(1)) / 100)
    return None


def _resolve(schema, node):
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and seen < 8:
        target = schema
        for part in node["$ref"][2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        node, seen = target, seen + 1
    return node if isinstance(node, dict) else {}


def tolerance_at(schema, parts):
    """The (kind, amount) tolerance the schema gives the parameter at parts, or None (exact)."""
    node = _resolve(schema, schema)
    for part in parts:
        if isinstance(part, int):
            items = node.get("items")
            node = _resolve(schema, items if isinstance(items, dict) else {})
        else:
            properties = node.get("properties", {})
            child = properties.get(part) if isinstance(properties, dict) else None
            if child is None:
                extra = node.get("additionalProperties")
                child = extra if isinstance(extra, dict) else {}
            node = _resolve(schema, child)
    return parse_tolerance(node.get("x-tolerance")) if "x-tolerance" in node else None
