"""Import TensorFlow without its C++ start-up noise in notebook outputs.

On machines without a GPU driver, ``import tensorflow`` and its first device query print a
dozen lines on the process's stderr (CUDA plugin registration, ``cuInit`` failing, absl
warnings). They are harmless but show up as a red wall under the first cell, so the widgets and
the CLI import TensorFlow through :func:`import_tensorflow`, which mutes file descriptor 2 for
exactly that moment. Python exceptions are not affected.
"""

from __future__ import annotations

import contextlib
import os
import sys


@contextlib.contextmanager
def _muted_stderr_fd():
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real fd 2 (some embedded consoles)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow():
    """Import (once) and return ``tensorflow``, with its C++ chatter muted."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _muted_stderr_fd():
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # the cuInit probe happens here, muted too
    return tf
