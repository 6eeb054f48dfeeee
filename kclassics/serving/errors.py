"""Errors as TF Serving reports them: a canonical status code, its HTTP status (or gRPC status), and a message."""

# TF Serving's status-to-HTTP mapping (tensorflow_serving/util/net_http/... `ToHTTPStatusCode`).
HTTP_STATUS = {
    "CANCELLED": 499,
    "UNKNOWN": 500,
    "INVALID_ARGUMENT": 400,
    "DEADLINE_EXCEEDED": 504,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "PERMISSION_DENIED": 403,
    "RESOURCE_EXHAUSTED": 429,
    "FAILED_PRECONDITION": 400,
    "ABORTED": 409,
    "OUT_OF_RANGE": 400,
    "UNIMPLEMENTED": 501,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DATA_LOSS": 500,
    "UNAUTHENTICATED": 401,
}


class ServingError(Exception):
    """A request the server refuses: `code` is a canonical status name (`"NOT_FOUND"`), `http_status` its HTTP status.

    The canonical names are gRPC's status codes (`grpc.StatusCode[code]`), which
    TF Serving and KServe's V2 gRPC protocol answer with as they are.
    """

    def __init__(self, code, message, http_status=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status or HTTP_STATUS[code]


def invalid(message):
    return ServingError("INVALID_ARGUMENT", message)


def failed_precondition(message):
    return ServingError("FAILED_PRECONDITION", message)


def from_tensorflow(error):
    """A `ServingError` from a `tf.errors.OpError` raised while running a signature."""
    import tensorflow as tf

    code = {v: k for k, v in vars(tf.errors).items() if k.isupper() and isinstance(v, int)}.get(error.error_code, "UNKNOWN")
    return ServingError(code if code in HTTP_STATUS else "UNKNOWN", _first_useful_line(getattr(error, "message", str(error))))


def _first_useful_line(message):
    """The line of a TensorFlow error that says what went wrong, without the graph-building traceback."""
    skip = ("Graph execution error", "Detected at node", "Detected unsupported operations")
    for line in message.splitlines():
        if line.strip() and not line[0].isspace() and not line.startswith(skip) and not line.startswith("<"):
            return line.split("\t [[")[0].split(" [[{{")[0].strip()
    return message.strip().splitlines()[0] if message.strip() else "TensorFlow error"
