"""`kclassics export`: a zoo model or a program's run as a SavedModel, an ONNX file or a LiteRT file, its answers checked."""

import contextlib
import dataclasses
from pathlib import Path

from kclassics.cli._args import positive_int

CHECK_EXAMPLES = 100  # test examples the written file is checked on against Keras

DESCRIPTION = (
    "Export a registered model (by name) or a program's run directory (its trained model.keras) with its task's "
    "signature, the one its SavedModel serves: the same input and output names in every format. The written file is "
    "run in its own runtime against the Keras model before it is kept; a float32 export must agree within 1e-4 "
    "(relative). int8 calibrates on the program's training split and reports the test accuracy it costs."
)


def register(commands, argv=()):
    parser = commands.add_parser("export", help="export a model or a run as a SavedModel, ONNX or LiteRT file",
                                 description=DESCRIPTION)
    parser.add_argument("source", metavar="RUN_DIR_OR_MODEL", help="a run directory (from kclassics train) or a model name")
    parser.add_argument("--format", required=True, metavar="FORMAT", help="savedmodel, onnx or litert")
    parser.add_argument("--quantize", default="none", metavar="KIND",
                        help="none (default); for litert also float16, dynamic (int8 weights) or int8 (weights and "
                             "activations, calibrated on the run's training split)")
    parser.add_argument("--out", metavar="PATH",
                        help="the file to write (never overwritten), or the SavedModel's base directory (a new version); "
                             "default: beside the run's model.keras (model[-KIND].onnx/.tflite, export/), or NAME[-SIZE]"
                             "[-KIND].onnx/.tflite and NAME/ here for a model")
    parser.add_argument("--input-size", type=positive_int, metavar="N",
                        help="a model's input height and width (default: its card's)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="the directory of the run's dataset files (MNIST IDX, cifar-10-batches-bin/), for int8's "
                             "calibration and the test accuracy; a run on the embedded digits needs none")
    parser.set_defaults(check=check, run=run)


@dataclasses.dataclass
class Source:
    """What RUN_DIR_OR_MODEL names: a run (with its program) or a registered model (with its card)."""

    name: str
    run: object = None
    program: object = None
    card: dict = None

    def reads_data(self, data_dir):
        """Whether the run's training and test splits can be read: its program declares them and their files are here."""
        if self.program is None or self.program.inputs is None:
            return False
        return data_dir is not None or self.run.config.get("dataset") in EMBEDDED_DATASETS


EMBEDDED_DATASETS = ("digits",)  # shipped with kclassics (kclassics.data): read without --data-dir


def find_source(text, input_size=None):
    """The run directory or registered model `text` names, checked without TensorFlow."""
    from kclassics.cli.models import card_index, unknown_model_hint

    path = Path(text).expanduser()
    cards = {card["name"]: card for card in card_index()}
    # a run directory, else a model name (its own SavedModel base directory `NAME/` may exist here), else a path
    if (path / "config.json").is_file() or (path.exists() and text not in cards):
        return _run_source(path, input_size)
    if text not in cards:
        hint = unknown_model_hint(text, cards)
        raise FileNotFoundError(f"{text!r} is neither a run directory nor a registered model.{hint} "
                                f"Received: RUN_DIR_OR_MODEL={text!r}")
    card = cards[text]
    if input_size is not None:
        smallest = card["min_input_side"]
        if smallest is None or len(card["input_shape"]) != 3:
            raise ValueError(f"argument --input-size: {text} takes only its {'x'.join(map(str, card['input_shape']))} "
                             f"input. Received: --input-size {input_size}")
        if input_size < smallest:
            raise ValueError(f"argument --input-size: {text} takes inputs of at least {smallest}x{smallest}. "
                             f"Received: --input-size {input_size}")
    return Source(text, card=card)


def _run_source(path, input_size):
    from kclassics import programs
    from kclassics.runs import RunDir

    run = RunDir(path)
    if input_size is not None:
        raise ValueError(f"argument --input-size: a run's model keeps the input it was trained on. Received: --input-size "
                         f"{input_size} with the run {path}")
    name = run.program
    if name not in programs.list_programs():
        raise ValueError(f"The run {path} was written by {name or 'code'} that is not a registered program, so its "
                         f"export's signature is unknown. Received: RUN_DIR={str(path)!r}")
    program = programs.get(name)
    if program.task is None:
        raise ValueError(f"Program {name!r} writes no export (its model is not a Keras model). Received: RUN_DIR={str(path)!r}")
    run.file("model.keras")  # an interrupted run has none yet: one line naming the run
    if run.export_options is None:
        raise ValueError(f"The run {path} does not record its export's options (it was written before kclassics did), so "
                         f"its signature cannot be made again; `kclassics train {name} --out NEW_DIR` writes a run that "
                         f"does. Received: RUN_DIR={str(path)!r}")
    return Source(name, run=run, program=program)


def default_out(source, spec, quantize, input_size):
    """Beside a run's model.keras, or here named after the model (its size and quantisation in the name)."""
    kind = "" if quantize == "none" else f"-{quantize}"
    if source.run is not None:
        return source.run.path / ("export" if not spec.is_file else f"model{kind}{spec.suffix}")
    stem = source.name + (f"-{input_size}" if input_size else "")
    return Path(stem if not spec.is_file else f"{stem}{kind}{spec.suffix}")


def check(args):
    from kclassics.export.formats import check_path, check_request

    source = find_source(args.source, args.input_size)
    if args.data_dir is not None:
        if source.run is None:
            raise ValueError(f"argument --data-dir: goes with a run directory, whose program's dataset it holds. "
                             f"Received: --data-dir {args.data_dir} with the model {source.name!r}")
        dataset = source.run.config.get("dataset")
        if dataset in EMBEDDED_DATASETS or source.program.inputs is None:
            raise ValueError(f"argument --data-dir: the run of {source.name} reads no dataset files "
                             f"({dataset or 'it declares no data splits'}). Received: --data-dir {args.data_dir}")
        if not Path(args.data_dir).expanduser().is_dir():
            raise FileNotFoundError(f"argument --data-dir: {args.data_dir} is not a directory. Received: --data-dir "
                                    f"{args.data_dir}")
    reads_data = source.reads_data(args.data_dir)
    if args.quantize == "int8" and source.run is not None and not reads_data:
        if source.program.inputs is None:
            raise ValueError(f"argument --quantize: int8 calibrates on a training split, and program {source.name!r} "
                             f"declares none (float16 and dynamic need no data). Received: --quantize int8")
        raise ValueError(f"argument --data-dir: int8 calibrates on the run's training split, and the run of "
                         f"{source.name} trained on {source.run.config.get('dataset')}: give the directory of its files")
    spec = check_request(args.format, args.quantize, None, representative_data=reads_data)
    args.out = Path(args.out).expanduser() if args.out else default_out(source, spec, args.quantize, args.input_size)
    check_path(spec, args.out)
    args.source_found = source


def run(args):
    import numpy as np

    from kclassics.cli import native_stderr_closed
    from kclassics.export import FORMATS, QUANTIZATIONS, TOLERANCE, export_model, load_exported
    from kclassics.export.convert import CALIBRATION_EXAMPLES

    source, spec = args.source_found, FORMATS[args.format]
    representative = test = None
    if source.run is not None:
        from kclassics.export.convert import resolve

        model, task, options = source.run.model(), source.run.task, dict(source.run.export_options)
        if isinstance(options.get("preprocess"), str):
            options["preprocess"] = resolve(options["preprocess"])
        if source.reads_data(args.data_dir):
            config = source.run.config_for(source.program)
            train_x, _ = source.program.model_inputs(config, args.data_dir, "train")
            test = source.program.model_inputs(config, args.data_dir, "test")
            # the calibration set: examples of the training split drawn at random (seed 0)
            representative = train_x[np.random.default_rng(0).permutation(len(train_x))[:CALIBRATION_EXAMPLES]]
    else:
        from kclassics import apps

        shape = source.card["input_shape"]
        kwargs = {"input_shape": (args.input_size, args.input_size, shape[-1])} if args.input_size else {}
        model, task, options = apps.create_model(source.name, **kwargs), source.card["task"], {}
    options.setdefault("input_name", "images")
    with contextlib.nullcontext() if args.verbose else native_stderr_closed():  # the converters' and runtimes' C++ logs
        result = export_model(model, args.out, format=args.format, quantize=args.quantize, task=task,
                              representative_data=representative if args.quantize == "int8" else None,
                              check_inputs=None if test is None else test[0][:CHECK_EXAMPLES], **options)
        exported = load_exported(result.path, args.format)
    say = lambda line: print(f"kclassics export: {line}", flush=True)  # noqa: E731
    say(f"wrote {result.path}: {spec.title}, {QUANTIZATIONS[args.quantize]}, {result.bytes:,} bytes")
    say(f"signature serving_default: {', '.join(exported.inputs)} -> {', '.join(exported.outputs)}")
    for line in result.lowered:
        say(f"lowered for {spec.title}: {line}")
    what = f"{len(test[0][:CHECK_EXAMPLES]):,} test examples" if test is not None else "random inputs"
    verdict = f" (within {TOLERANCE:g})" if args.quantize == "none" else ""
    say(f"{spec.runtime} vs Keras on {what}: {result.difference}{verdict}")
    if test is not None and args.quantize != "none" and "classes" in exported.outputs:
        from kclassics.export.runtimes import predict, task_outputs

        inputs = {options["input_name"]: test[0]}
        before = float(np.mean(predict(lambda **x: task_outputs(model, x, task, **options), inputs)["classes"] == test[1]))
        after = float(np.mean(predict(exported, inputs)["classes"] == test[1]))
        say(f"test accuracy on {len(test[1]):,} examples: Keras float32 {before:.4f}, {spec.title} {args.quantize} "
            f"{after:.4f} ({100 * (after - before):+.2f} points)")
    return 0
