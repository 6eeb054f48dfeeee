"""Serving SavedModels over TensorFlow Serving's REST and gRPC APIs and KServe V1 and V2 (`kclassics serve`).

    from kclassics.serving import ModelConfig, serve
    serve([ModelConfig("mnist", "exports/mnist")], port=8501, grpc_port=8500)

See docs/serving.md. The modules: `config` (models, version policies, TF
Serving's config file), `manager` (loading, polling and reloading versions),
`servable` (one loaded version and its signatures), `warmup` (TF Serving's
warm-up requests), `batching`, `core` (the manager and batchers every
protocol calls), `calls` (what a request asks of the core), `protocols` (the
table of every endpoint: parse, call, format), the protocols' own modules
(`tfserving_rest` with `codec`, `tfserving_grpc`, `v2`), the transports (`app`
for HTTP, `grpc_server`), `page` (the page for people), `server` (all of it
on uvicorn and grpcio).
"""

from kclassics.serving.batching import BatchingOptions
from kclassics.serving.config import ModelConfig, VersionPolicy, read_model_config_file
from kclassics.serving.server import serve
from kclassics.serving.warmup import write_warmup_requests

__all__ = ["BatchingOptions", "ModelConfig", "VersionPolicy", "read_model_config_file", "serve", "write_warmup_requests"]
