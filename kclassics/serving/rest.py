"""What the HTTP protocols share: the request a `parse` receives, JSON in and out, and the error body."""

import dataclasses
import json

import numpy as np

try:  # several times faster than json on the large float arrays that images are sent as
    import orjson
except ImportError:  # pragma: no cover - a dependency; json does the same work, slower
    orjson = None

from starlette.responses import Response

from kclassics.serving.errors import ServingError, invalid


@dataclasses.dataclass
class HttpRequest:
    """An HTTP request as an endpoint's `parse` sees it: the path's named parts (`params`), headers, and body."""

    method: str
    path: str
    params: dict
    headers: object  # starlette's Headers: case-insensitive
    body: bytes = b""


def json_response(body, status=200, headers=None):
    return Response(encode_json(body), status_code=status, media_type="application/json", headers=headers)


def error_response(error):
    """`{"error": message}` with the HTTP status of the error's code: TF Serving's, KServe V1's and V2's error body."""
    return json_response({"error": error.message}, error.http_status)


def encode_json(body):
    """`body` as compact JSON; NaN and Infinity as tokens, as TF Serving writes them (its JSON conformance section).

    Numpy arrays and numbers in `body` are written as numbers, float32 ones in
    their shortest form (`1.1`, not `1.100000023841858`).
    """
    if orjson is not None:
        text = orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY, default=_as_python)
        if b"null" not in text:  # orjson writes NaN and Infinity as null (and the bodies here hold no None)
            return text
    return json.dumps(body, allow_nan=True, separators=(",", ":"), default=_as_python).encode()


def _as_python(value):
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def parse_json(body):
    if not body.strip():
        raise invalid("The request body is empty; expected a JSON object.")
    if orjson is not None:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # NaN / Infinity (which TF Serving's JSON accepts), or malformed: json accepts the first and words the second
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise invalid("The request body is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise invalid(f"Malformed JSON in the request body: {error}") from None


def json_object(body):
    """The request body as a JSON object, or INVALID_ARGUMENT."""
    value = parse_json(body)
    if not isinstance(value, dict):
        raise invalid(f"The request body must be a JSON object. Received: {type(value).__name__}")
    return value


async def read_body(receive_stream, headers, limit):
    """The request body, refused with 413 past `limit` bytes.

    A body a little over the limit is read to its end and dropped, so that the
    client, still sending, receives the 413 rather than a broken connection;
    one declared (Content-Length) or sent far over it is refused at once.
    """
    declared = headers.get("content-length")
    drain = 4 * limit
    if declared and declared.isdigit() and int(declared) > drain:
        raise ServingError("INVALID_ARGUMENT", f"The request body ({int(declared)} bytes) is over the limit of {limit} bytes.", 413)
    chunks, size = [], 0
    async for chunk in receive_stream:
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif size > drain:
            break
    if size > limit:
        raise ServingError("INVALID_ARGUMENT", f"The request body ({size}{'+' if size > drain else ''} bytes) is over the limit of {limit} bytes.", 413)
    return b"".join(chunks)
