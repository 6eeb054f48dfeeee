"""Giving memory back to the system once large objects are freed."""

import ctypes
import gc

LARGE_WORDS = 10_000_000  # a corpus whose ids and word lists (40 MB and more) are worth a collection (0.2 s with TensorFlow loaded)


def release_memory():
    """Collects garbage, then has glibc's malloc return its free pages to the system (`malloc_trim`).

    Freed Python objects leave glibc's heap holding their pages: after a
    corpus's word lists are gone the process keeps them resident. Where
    malloc has no `malloc_trim` (not glibc) only the collection runs.
    """
    gc.collect()
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
