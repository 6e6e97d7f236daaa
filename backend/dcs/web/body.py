"""Reading a request's JSON body: content type, size and syntax checked before anything else runs."""

import json

from bottle import request

from ..errors import DcsError, bad_request


def read_body(max_body, content_types, what):
    """The raw body, if its declared type is one of content_types and it is not over max_body bytes."""
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    length = request.content_length
    if length > max_body:
        raise DcsError(413, f"The request body is too large ({length} bytes; at most {max_body}).")
    if content_type not in content_types:
        raise DcsError(415, f"The request body must be {what}, sent with Content-Type: {content_types[0]}.")
    return _read_limited(max_body)


def read_json(max_body):
    raw = read_body(max_body, ("application/json",), "JSON")
    if not raw.strip():
        raise bad_request("The request body is empty; it must be a JSON object.")
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise bad_request("The request body is not valid UTF-8.") from None
    except RecursionError:
        raise bad_request("The request body is nested too deeply.") from None
    except ValueError as error:
        raise bad_request(f"The request body is not valid JSON: {error}.") from None


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _read_limited(max_body):
    stream = request.environ["wsgi.input"]
    length = request.content_length
    if length >= 0:
        return stream.read(length) if length else b""
    # No Content-Length (chunked): read at most one byte more than allowed to tell.
    data = stream.read(max_body + 1)
    if len(data) > max_body:
        raise DcsError(413, f"The request body is too large (more than {max_body} bytes).")
    return data


def read_multipart(limit, part, schema):
    """(the JSON part `metadata` checked by schema, the file part named part) of a multipart/form-data body."""
    if request.content_length > limit:
        raise DcsError(413, f"The request body is too large ({request.content_length} bytes; at most {limit}).")
    try:
        metadata, upload = request.forms.getunicode("metadata"), request.files.get(part)
    except Exception:
        raise bad_request("The multipart body cannot be read.") from None
    if metadata is None or upload is None:
        raise bad_request(f"A multipart upload needs a part named metadata (JSON) and a part named {part}.")
    try:
        meta = json.loads(metadata)
    except ValueError as error:
        raise bad_request(f"The metadata part is not valid JSON: {error}.") from None
    return schema.validate(meta), upload
