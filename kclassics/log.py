"""The one way library code talks to the user: `log(line)`.

Lines go where Keras's own callbacks send theirs: to standard output, or to
absl logging (INFO) after `keras.config.disable_interactive_logging()`. The
command line decides what reaches the terminal; library code never prints.
"""

import sys


def log(message):
    """Writes one line of a program's or a callback's report."""
    import keras

    if keras.config.is_interactive_logging_enabled():
        sys.stdout.write(message + "\n")
        sys.stdout.flush()
    else:
        from absl import logging as absl_logging

        absl_logging.info(message)
