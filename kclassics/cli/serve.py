"""`kclassics serve`: SavedModel versions over TensorFlow Serving's REST API and KServe V1."""

import argparse
import math
import sys

from kclassics.cli import _args

DEFAULT_MAX_BODY_BYTES = 64 << 20


def _port(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number between 0 and 65535, received {text!r}")
    return value


def _seconds(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative number of seconds, received {text!r}")
    return value


def _int_list(lowest, what, example):
    """An argparse type: comma-separated integers of at least `lowest`, e.g. `example`."""

    def parse(text):
        try:
            values = tuple(int(part) for part in text.split(","))
        except ValueError:
            values = ()
        if not values or any(value < lowest for value in values):
            raise argparse.ArgumentTypeError(f"expected comma-separated {what}, e.g. {example}, received {text!r}")
        return values

    return parse


_versions = _int_list(0, "non-negative version numbers", "1,3")
_batch_sizes = _int_list(1, "positive batch sizes", "8,16,32")


def register(commands, argv=()):
    parser = commands.add_parser(
        "serve",
        help="serve SavedModels over TF Serving's REST API",
        description=(
            "Serve the versions of a model base directory (BASE_DIR/<integer>/saved_model.pb, as kclassics exports "
            "write them) over TensorFlow Serving's REST API and KServe V1, with a page for people at /."
        ),
    )
    parser.add_argument("base_dir", nargs="?", metavar="BASE_DIR", help="the model's base directory of numbered versions")
    parser.add_argument("--model-name", help="the name in URLs (default: BASE_DIR's name)")
    parser.add_argument("--config", metavar="FILE", help="TF Serving's --model_config_file (text protobuf) listing several models")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=_port, default=8501, help="port (default: 8501, TF Serving's REST port; 0: any free port)")
    parser.add_argument("--version-policy", choices=("latest", "all", "specific"), default="latest", help="which versions to serve (default: latest)")
    parser.add_argument("--num-versions", type=_args.positive_int, default=1, help="how many versions the latest policy serves (default: 1)")
    parser.add_argument("--versions", type=_versions, help="the versions of the specific policy, e.g. 1,3")
    parser.add_argument("--poll-seconds", type=_seconds, default=1.0, help="seconds between scans for new versions (default: 1; 0: never)")
    parser.add_argument("--enable-batching", action="store_true", help="merge concurrent requests into batches")
    parser.add_argument("--max-batch-size", type=_args.positive_int, default=32, help="rows per batch (default: 32)")
    parser.add_argument("--batch-timeout-micros", type=_args.non_negative_int, default=1000, help="how long a batch waits to fill (default: 1000)")
    parser.add_argument("--num-batch-threads", type=_args.positive_int, default=1, help="batches run at once (default: 1)")
    parser.add_argument(
        "--allowed-batch-sizes", type=_batch_sizes, default=(),
        help="pad each batch to the next of these sizes, e.g. 8,16,32 (the last must be --max-batch-size; default: no padding)",
    )
    parser.add_argument(
        "--max-body-bytes", type=_args.positive_int, default=DEFAULT_MAX_BODY_BYTES, help="larger request bodies get 413 (default: 64 MiB)"
    )
    parser.set_defaults(run=run, uses_tensorflow=False)


def model_configs(args):
    """The `ModelConfig`s the arguments name, refused with one line before TensorFlow is imported."""
    from kclassics.serving.config import ModelConfig, VersionPolicy, read_model_config_file

    policy_flags = args.version_policy != "latest" or args.num_versions != 1 or args.versions is not None
    if args.config:
        if args.base_dir or args.model_name or policy_flags:
            raise ValueError("argument --config: the config file names the models, paths and policies; give BASE_DIR, --model-name "
                             "and the version flags without it")
        return read_model_config_file(args.config)
    if not args.base_dir:
        raise ValueError("the base directory is missing: give BASE_DIR (or --config FILE)")
    if args.versions is not None and args.version_policy != "specific":
        raise ValueError(f"argument --versions: goes with --version-policy specific. Received: --version-policy {args.version_policy}")
    if args.version_policy == "specific" and args.versions is None:
        raise ValueError("argument --versions: --version-policy specific needs the versions, e.g. --versions 1,3")
    from pathlib import Path

    base = Path(args.base_dir).expanduser().absolute()
    policy = VersionPolicy(args.version_policy, args.num_versions, args.versions or ())
    return [ModelConfig(args.model_name or base.name, base, policy)]


def run(args):
    from kclassics.serving.batching import BatchingOptions
    from kclassics.serving.server import check_servable

    configs = model_configs(args)
    batching = None
    if args.enable_batching:
        batching = BatchingOptions(args.max_batch_size, args.batch_timeout_micros, args.num_batch_threads,
                                   allowed_batch_sizes=args.allowed_batch_sizes)
    elif args.allowed_batch_sizes:
        raise ValueError("argument --allowed-batch-sizes: goes with --enable-batching")
    check_servable(configs)
    if not args.verbose:
        from kclassics.cli import import_tensorflow_quietly

        import_tensorflow_quietly()
    from kclassics.serving.server import serve

    def tell(line):
        print(f"kclassics serve: {line}", flush=True)

    failures = serve(configs, args.host, args.port, args.poll_seconds, batching, args.max_body_bytes, on_event=tell)
    if failures:
        print("kclassics: error: " + " | ".join(failures), file=sys.stderr)
        return 2
    return 0
