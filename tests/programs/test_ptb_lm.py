"""The ptb_lm program: the book's loop, its lines, the run directory, resume, bad input and `kclassics generate`."""

import dataclasses
import json
import re

import keras
import numpy as np
import pytest

from kclassics import programs
from kclassics.cli import main
from kclassics.data import ptb
from kclassics.programs import ptb_lm

TINY = dataclasses.replace(ptb_lm.SMALL, hidden_size=8, num_steps=5, batch_size=4, epochs=2, max_epoch=1, vocab_size=60)


def write_text_corpus(directory, names=ptb.TEXT_FILES, sizes=(600, 150, 150)):
    """Real text (the first Lee articles, normalised) as train/valid/test files of `sizes` words (and line ends)."""
    from kclassics.data.corpora import embedded_path

    words = " ".join(ptb.normalize_line(line) for line in embedded_path("lee_background").read_text().splitlines()[:8]).split()
    directory.mkdir(parents=True, exist_ok=True)
    ends = np.cumsum([0, *sizes])
    for name, start, stop in zip(names, ends[:-1], ends[1:]):
        chunk = words[start:stop]
        (directory / name).write_text("\n".join(" ".join(chunk[i : i + 15]) for i in range(0, len(chunk), 15)) + "\n")
    return directory


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return write_text_corpus(tmp_path_factory.mktemp("text"))


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, data_dir):
    import contextlib
    import io

    out = tmp_path_factory.mktemp("runs") / "tiny"
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        result = programs.get("ptb_lm").run(TINY, out=out, data_dir=data_dir, verbose=0)
    return result, captured.getvalue()


def test_the_books_lines_and_the_run_directory(tiny_run):
    result, printed = tiny_run
    epoch_size = result.epoch_size
    lines = printed.splitlines()
    assert lines[0] == "Epoch: 1 Learning rate: 1.000"
    assert "Epoch: 2 Learning rate: 0.500" in lines  # lr_decay 0.5 after max_epoch 1
    progress = [line for line in lines if " perplexity: " in line and "speed:" in line]
    assert len(progress) == 2 * 10 and all(re.fullmatch(r"\d\.\d{3} perplexity: \d+\.\d{3} speed: \d+ wps", p) for p in progress)
    assert [line.rsplit(": ", 1)[0] for line in lines if "Perplexity" in line] == [
        "Epoch: 1 Train Perplexity", "Epoch: 1 Valid Perplexity", "Epoch: 2 Train Perplexity", "Epoch: 2 Valid Perplexity",
        "Test Perplexity"]
    assert f"Test Perplexity: {result.test_perplexity:.3f}" in lines
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["steps"] == 2 * epoch_size and len(metrics["valid_perplexities"]) == 2
    assert 1 < metrics["test_perplexity"] < 60 and metrics["vocab_size"] == 60
    assert [step for step, _ in metrics["history"]["val_perplexity"]] == [epoch_size, 2 * epoch_size]
    for name in ("curves.png", "model.keras", "vocab.txt", "corpus.json", "export/1/saved_model.pb"):
        assert (result.run_dir / name).is_file(), name
    assert ptb.read_vocabulary(result.run_dir / "vocab.txt")[-1] == ptb.UNK


def test_tensorboard_scalars_per_epoch(tiny_run):
    import tensorflow as tf

    result, _ = tiny_run
    tags = {}
    for events in result.run_dir.glob("logs/events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(events)):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    assert tags["train_perplexity"] == tags["valid_perplexity"] == tags["learning_rate"] == [1, 2]
    assert tags["test_perplexity"] == [2]


def test_training_perplexity_falls_below_the_unigram_model(tiny_run):
    result, _ = tiny_run
    assert result.train_perplexities[-1] < result.train_perplexities[0]
    assert result.valid_perplexity < result.unigram_test_perplexity * 1.5


def test_generate_samples_vocabulary_words(tiny_run, capsys):
    result, _ = tiny_run
    assert main(["generate", str(result.run_dir), "--prompt", "the fire", "--words", "7", "--seed", "3"]) == 0
    words = capsys.readouterr().out.split()
    vocabulary = set(ptb.read_vocabulary(result.run_dir / "vocab.txt"))
    assert words[:2] == ["the", "fire"] and len(words) >= 7 and set(words) <= vocabulary  # <eos> prints as a line break
    assert main(["generate", str(result.run_dir.parent), "--words", "3"]) == 2
    assert "holds no run (no config.json): it is not a run directory" in capsys.readouterr().err


def _next_word_inputs(tmp_path, model):
    x = np.random.default_rng(0).integers(0, 60, (2, 5)).astype(np.int32)
    state = np.random.default_rng(2).normal(size=(2, 2, 2, 8)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "state.npy", state)
    return model.unroll(x, state)


def test_next_word_saved_model_serves_the_models_logits_and_state(tiny_run, tmp_path):
    import tensorflow as tf

    result, _ = tiny_run
    logits, new_state = _next_word_inputs(tmp_path, result.model)
    serve = tf.saved_model.load(str(result.export_path)).signatures["serving_default"]
    out = serve(token_ids=tf.constant(np.load(tmp_path / "x.npy")), state=tf.constant(np.load(tmp_path / "state.npy")))
    np.testing.assert_allclose(out["logits"], np.asarray(logits)[:, -1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out["state"], new_state, rtol=1e-5, atol=1e-5)


@pytest.mark.slow  # a fresh process imports TensorFlow: 13-19 s on 2 busy cores
def test_next_word_saved_model_reloads_in_a_fresh_process(tiny_run, tmp_path):
    import subprocess
    import sys

    from tests.conftest import subprocess_env

    result, _ = tiny_run
    logits, new_state = _next_word_inputs(tmp_path, result.model)
    code = f"""
import numpy as np, tensorflow as tf
serve = tf.saved_model.load({str(result.export_path)!r}).signatures["serving_default"]
out = serve(token_ids=tf.constant(np.load("x.npy")), state=tf.constant(np.load("state.npy")))
np.save("logits.npy", out["logits"].numpy()); np.save("out_state.npy", out["state"].numpy())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env=subprocess_env())
    assert done.returncode == 0, done.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "logits.npy"), np.asarray(logits)[:, -1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.load(tmp_path / "out_state.npy"), new_state, rtol=1e-5, atol=1e-5)


@pytest.mark.slow  # two more runs of the program, 12 s on 2 busy cores
def test_mid_epoch_resume_continues_the_streams(tiny_run, data_dir, tmp_path, monkeypatch):
    result, _ = tiny_run
    stop_at = result.epoch_size + 3  # in the second epoch

    class Kill(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if int(self.model.optimizer.iterations) == stop_at:
                raise KeyboardInterrupt

    monkeypatch.setattr(ptb_lm, "CHECKPOINT_SECONDS", 0)  # a checkpoint after every batch
    program = programs.get("ptb_lm")
    with pytest.raises(KeyboardInterrupt):
        program.run(TINY, out=tmp_path / "run", data_dir=data_dir, verbose=0, callbacks=[Kill()])
    assert max(step for step, _ in _checkpoints(tmp_path / "run")) == stop_at
    resumed = program.run(TINY, out=tmp_path / "run", data_dir=data_dir, resume=True, verbose=0)
    assert resumed.metrics["resumed_at"] == [stop_at]
    np.testing.assert_allclose(resumed.train_perplexities, result.train_perplexities, rtol=1e-5)
    np.testing.assert_allclose(resumed.valid_perplexities, result.valid_perplexities, rtol=1e-5)
    assert resumed.test_perplexity == pytest.approx(result.test_perplexity, rel=1e-5)


def _checkpoints(run_dir):
    from kclassics.runs import Run

    return Run(run_dir, True).checkpoints()


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--config", "huge"],
         "Unknown --config for program 'ptb_lm'. Accepted: one of small, medium, large or a JSON file of settings (a run's config.json, a search's best.json). Received: --config=huge"),
        (["--steps", "5"], "--steps 5 is not an option of program 'ptb_lm'"),
        (["--data-dir", "{empty}"], "lacks ptb.train.txt, ptb.valid.txt, ptb.test.txt"),
        (["--data-dir", "{no_valid}"], "The valid split of PTB"),
        (["--data-dir", "{short}", "--batch-size", "500"], "too short for one batch of 500 streams x 20 steps"),
    ],
)
def test_bad_input_is_one_line_before_any_run_directory(tmp_path, capsys, data_dir, args, fragment):
    (tmp_path / "empty").mkdir()
    write_text_corpus(tmp_path / "no_valid", ptb.PTB_FILES)
    (tmp_path / "no_valid" / "ptb.valid.txt").write_text("\n\n")
    args = [a.format(empty=tmp_path / "empty", no_valid=tmp_path / "no_valid", short=data_dir) for a in args]
    assert main(["train", "ptb_lm", "--out", str(tmp_path / "run"), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") <= 2 and err.startswith("kclassics: error: ") and fragment in err.splitlines()[0], err
    assert not (tmp_path / "run").exists()


def test_resume_with_another_vocabulary_is_refused_and_changes_nothing(tiny_run, tmp_path):
    result, _ = tiny_run
    saved = {p.name: p.read_bytes() for p in result.run_dir.iterdir() if p.is_file()}
    other = write_text_corpus(tmp_path / "other")
    (other / "train.txt").write_text("another text entirely\n" * 200)
    with pytest.raises(ValueError, match=r"its vocabulary \(60 words, .*\) differs from this data's \(5 words") as refused:
        programs.get("ptb_lm").run(dataclasses.replace(TINY, epochs=3), out=result.run_dir, data_dir=other, resume=True)
    assert "\n" not in str(refused.value)
    assert {p.name: p.read_bytes() for p in result.run_dir.iterdir() if p.is_file()} == saved


def test_named_configs_are_the_books_three():
    program = programs.get("ptb_lm")
    assert program.config is ptb_lm.SMALL and list(program.configs) == ["small", "medium", "large"]
    books = {  # (init_scale, lr, max_grad_norm, layers, num_steps, hidden, max_epoch, max_max_epoch, keep_prob, lr_decay, batch)
        "small": (0.1, 1.0, 5, 2, 20, 200, 4, 13, 1.0, 0.5, 20),
        "medium": (0.05, 1.0, 5, 2, 35, 650, 6, 39, 0.5, 0.8, 20),
        "large": (0.04, 1.0, 10, 2, 35, 1500, 14, 55, 0.35, 1 / 1.15, 20),
    }
    for name, values in books.items():
        c = program.configs[name]
        assert (c.init_scale, c.learning_rate, c.max_grad_norm, c.num_layers, c.num_steps, c.hidden_size, c.max_epoch,
                c.epochs, c.keep_prob, c.lr_decay, c.batch_size) == values
        assert c.vocab_size == 10_000 and c.name == name and not c.tie_weights and c.lstm == "basic"
    with pytest.raises(ValueError, match="keep_prob=0"):
        dataclasses.replace(ptb_lm.SMALL, keep_prob=0)


@pytest.mark.slow
def test_small_on_the_embedded_corpus_beats_a_unigram_model_by_a_wide_margin(tmp_path):
    result = programs.get("ptb_lm").run(ptb_lm.SMALL, out=tmp_path / "run", verbose=0)
    assert result.test_perplexity < 0.7 * result.unigram_test_perplexity
    assert result.valid_perplexity < 0.7 * ptb.unigram_perplexity(ptb.load_embedded(), "valid")
    assert result.train_perplexity < result.valid_perplexity


def test_config_is_refused_for_a_program_without_named_configs(tmp_path, capsys):
    assert main(["train", "softmax_regression", "--config", "small", "--out", str(tmp_path / "run")]) == 2
    assert ("Unknown --config for program 'softmax_regression'. Accepted: a JSON file of settings"
            in capsys.readouterr().err)
    assert not (tmp_path / "run").exists()


def test_the_command_line_reads_the_ptb_archive(data_dir, tmp_path, capsys):
    """`--data-dir simple-examples.tgz`: the archive is read without unpacking it, its words as the directory's."""
    import tarfile

    (tmp_path / "data").mkdir()
    with tarfile.open(tmp_path / "simple-examples.tgz", "w:gz") as archive:
        for text, name in zip(ptb.TEXT_FILES, ptb.PTB_FILES):  # the archive's own names
            (tmp_path / "data" / name).write_text((data_dir / text).read_text())
            archive.add(tmp_path / "data" / name, arcname=f"simple-examples/data/{name}")
    args = ["train", "ptb_lm", "--epochs", "1", "--batch-size", "4", "--set", "hidden_size=8", "--quiet"]
    assert main([*args, "--data-dir", str(tmp_path / "simple-examples.tgz"), "--out", str(tmp_path / "a")]) == 0
    assert ptb.read_vocabulary(tmp_path / "a" / "vocab.txt") == ptb.load_ptb(tmp_path / "data").vocabulary
    capsys.readouterr()
