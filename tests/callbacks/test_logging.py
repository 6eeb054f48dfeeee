import re

import tensorflow as tf

from kclassics.callbacks import StepCounter, StepLogger


def test_step_logger_prints_the_book_lines_at_global_steps(make_model, data, capsys):
    model = make_model()
    model.fit(*data, batch_size=4, epochs=2, verbose=0, callbacks=[StepLogger(every_n_steps=4, first_n_steps=1)])
    lines = capsys.readouterr().out.splitlines()
    steps = [int(m.group(1)) for line in lines if (m := re.match(r"Step (\d+): loss = [\d.e-]+, mae = [\d.e-]+$", line))]
    assert steps == [1, 4, 8]
    assert sum(line.startswith("global_step/sec: ") for line in lines) == 3

    # a second fit continues the global step: the schedule is not reset
    model.fit(*data, batch_size=4, epochs=1, verbose=0, callbacks=[StepLogger(every_n_steps=4, first_n_steps=1)])
    steps = [int(m.group(1)) for line in capsys.readouterr().out.splitlines() if (m := re.match(r"Step (\d+):", line))]
    assert steps == [12]


def test_step_counter_measures_steps_and_examples(make_model, data, tmp_path):
    model = make_model()
    counter = StepCounter(every_n_steps=2, log_dir=tmp_path / "logs")
    model.fit(*data, batch_size=4, epochs=2, verbose=0, callbacks=[counter])
    assert [step for step, _, _ in counter.rates] == [2, 4, 6, 8, 10]
    for _, steps_per_sec, examples_per_sec in counter.rates:
        assert steps_per_sec > 0
        assert abs(examples_per_sec / steps_per_sec - 4) < 1e-6  # 4 examples per step, across the epoch change

    tags = set()
    for event_file in (tmp_path / "logs").iterdir():
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            tags.update(value.tag for value in event.summary.value)
    assert {"global_step/sec", "examples/sec"} <= tags


def test_short_last_batch_counts_its_examples(make_model, data):
    model = make_model()
    counter = StepCounter(every_n_steps=3)
    model.fit(*data, batch_size=8, epochs=1, verbose=0, callbacks=[counter])  # batches of 8, 8, 4
    (_, steps_per_sec, examples_per_sec), = counter.rates
    assert abs(examples_per_sec / steps_per_sec - 20 / 3) < 1e-6
