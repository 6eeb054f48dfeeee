"""Serving SavedModels over TensorFlow Serving's REST API and KServe V1 (`kclassics serve`).

    from kclassics.serving import ModelConfig, serve
    serve([ModelConfig("mnist", "exports/mnist")], port=8501)

See docs/serving.md. The modules: `config` (models, version policies, TF
Serving's config file), `manager` (loading and polling versions), `servable`
(one loaded version and its signatures), `codec` (request and response bodies
as TF Serving shapes them), `batching`, `app` (the routes), `page` (the page
for people), `server` (all of it on uvicorn).
"""

from kclassics.serving.batching import BatchingOptions
from kclassics.serving.config import ModelConfig, VersionPolicy, read_model_config_file
from kclassics.serving.server import serve

__all__ = ["BatchingOptions", "ModelConfig", "VersionPolicy", "read_model_config_file", "serve"]
