"""Declared request bodies: strict checking and the JSON Schema for OpenAPI, from one description.

`Body(username=Str(max_len=64), password=Str(), admin=Bool(required=False))` refuses unknown fields,
missing fields, wrong types (a bool is not a number, a number is not text) and out-of-range values,
listing every problem by field in one 400.
"""

import json
import re

from ..errors import bad_request

MISSING = object()


class Field:
    json_type = None

    def __init__(self, required=True, default=MISSING, description=""):
        self.required = required and default is MISSING
        self.default = default
        self.description = description

    # Subclasses define check(value): the clean value, or ValueError with a sentence fragment.

    def schema(self):
        out = {"type": self.json_type}
        if self.description:
            out["description"] = self.description
        return out


class Str(Field):
    json_type = "string"

    def __init__(self, min_len=0, max_len=200, pattern=None, choices=None, strip=False, **kw):
        super().__init__(**kw)
        self.min_len, self.max_len, self.choices, self.strip = min_len, max_len, choices, strip
        self.pattern = re.compile(pattern) if pattern else None

    def check(self, value):
        if not isinstance(value, str):
            raise ValueError("must be text")
        if self.strip:
            value = value.strip()
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        if not self.min_len <= len(value) <= self.max_len:
            raise ValueError(f"must have {self.min_len} to {self.max_len} characters")
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"must be one of {', '.join(self.choices)}")
        if self.pattern and not self.pattern.fullmatch(value):
            raise ValueError(f"must match {self.pattern.pattern}")
        return value

    def schema(self):
        out = super().schema() | {"minLength": self.min_len, "maxLength": self.max_len}
        if self.choices is not None:
            out["enum"] = list(self.choices)
        if self.pattern:
            out["pattern"] = f"^{self.pattern.pattern}$"
        return out


class Int(Field):
    json_type = "integer"

    def __init__(self, minimum=None, maximum=None, **kw):
        super().__init__(**kw)
        self.minimum, self.maximum = minimum, maximum

    def check(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number")
        if self.minimum is not None and value < self.minimum or self.maximum is not None and value > self.maximum:
            raise ValueError(f"must be from {self.minimum} to {self.maximum}")
        return value

    def schema(self):
        out = super().schema()
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


class Bool(Field):
    json_type = "boolean"

    def check(self, value):
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value


class Number(Field):
    """A finite number, or null (to take a limit away); left out, a value stays as it is."""

    json_type = "number"

    def check(self, value):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("must be a number or null")
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("must be a finite number")
        return value

    def schema(self):
        out = {"type": ["number", "null"]}
        if self.description:
            out["description"] = self.description
        return out


class Time(Field):
    """A time stamp: Unix seconds (a number) or ISO 8601 text; the domain code turns it into ns."""

    def check(self, value):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValueError("must be Unix seconds or ISO 8601 text")
        if isinstance(value, str) and not 1 <= len(value) <= 64:
            raise ValueError("must have 1 to 64 characters")
        return value

    def schema(self):
        out = {"oneOf": [{"type": "number"}, {"type": "string", "maxLength": 64}]}
        if self.description:
            out["description"] = self.description
        return out


class Dict(Field):
    """A free-form JSON object (parameters), bounded in size."""

    json_type = "object"

    def __init__(self, max_bytes=16384, **kw):
        super().__init__(**kw)
        self.max_bytes = max_bytes

    def check(self, value):
        if not isinstance(value, dict):
            raise ValueError("must be a JSON object")
        if len(json.dumps(value)) > self.max_bytes:
            raise ValueError(f"must be at most {self.max_bytes} bytes as JSON")
        return value


class List(Field):
    json_type = "array"

    def __init__(self, item, max_items=100, **kw):
        super().__init__(**kw)
        self.item, self.max_items = item, max_items

    def check(self, value):
        if not isinstance(value, list):
            raise ValueError("must be a list")
        if len(value) > self.max_items:
            raise ValueError(f"must have at most {self.max_items} items")
        clean = []
        for index, item in enumerate(value):
            try:
                clean.append(self.item.check(item))
            except ValueError as error:
                raise ValueError(f"item {index + 1} {error}") from None
        return clean

    def schema(self):
        return super().schema() | {"items": self.item.schema(), "maxItems": self.max_items}


class Body(Field):
    """A JSON object with known fields; also usable as a nested field."""

    json_type = "object"

    def __init__(self, **fields):
        super().__init__()
        self.fields = fields

    @classmethod
    def optional(cls, doc="", **fields):
        """A nested object that may be left out (its field names are free: no keyword is reserved)."""
        body = cls(**fields)
        body.required, body.description = False, doc
        return body

    def check(self, value):
        if not isinstance(value, dict):
            raise ValueError("must be a JSON object")
        clean, problems = self._checked(value)
        if problems:
            raise ValueError("; ".join(f"{p['field']} {p['error']}" for p in problems))
        return clean

    def problems(self, value):
        return self._checked(value)[1]

    def _checked(self, value):
        """(the clean value, [{field, error}]) in one pass over the fields."""
        if not isinstance(value, dict):
            return None, [{"field": "(body)", "error": "must be a JSON object"}]
        problems = [{"field": key, "error": "is not a known field"} for key in value if key not in self.fields]
        clean = {}
        for name, field in self.fields.items():
            if name not in value:
                if field.required:
                    problems.append({"field": name, "error": "is required"})
                elif field.default is not MISSING:
                    clean[name] = field.default
                continue
            try:
                clean[name] = field.check(value[name])
            except ValueError as error:
                problems.append({"field": name, "error": str(error)})
        return clean, problems

    def validate(self, value):
        """The clean body, or a 400 listing every problem."""
        clean, problems = self._checked(value)
        if problems:
            listed = "; ".join(f"{p['field']} {p['error']}" for p in problems[:5])
            raise bad_request(f"The request body is not valid: {listed}.", errors=problems)
        return clean

    def schema(self):
        out = {"type": "object", "additionalProperties": False,
               "properties": {name: field.schema() for name, field in self.fields.items()}}
        required = [name for name, field in self.fields.items() if field.required]
        if required:
            out["required"] = required
        return out
