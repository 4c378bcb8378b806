"""Mixed precision for training: bfloat16 arithmetic on CPUs that have it in hardware.

Recent Intel Xeons (AMX, AVX512-BF16) multiply bfloat16 about twice as fast as float32, so a
recipe may ask to train in Keras' ``mixed_bfloat16`` policy (float32 weights, bfloat16 maths).
Elsewhere bfloat16 would be emulated and slower, so it is only used where the CPU has it. The
trained model is always handed back in float32, the one dtype the pad and TF.js export know.
"""

from __future__ import annotations

import functools
from pathlib import Path

MIXED = "mixed_bfloat16"
#: /proc/cpuinfo flags of CPUs with native bfloat16 arithmetic.
BFLOAT16_FLAGS = ("amx_bf16", "avx512_bf16")


def cpu_field(name: str, cpuinfo: Path = Path("/proc/cpuinfo")) -> str | None:
    """The first /proc/cpuinfo line's value for ``name`` ("model name", "flags"), or None where
    there is no such line or file (not Linux)."""
    try:
        lines = cpuinfo.read_text().splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(name)), None)


@functools.cache
def native_bfloat16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when training runs on a CPU (no GPU) with native bfloat16 arithmetic (Linux only)."""
    import tensorflow as tf

    if tf.config.list_logical_devices("GPU"):
        return False
    flags = (cpu_field("flags", cpuinfo) or "").split()
    return any(flag in flags for flag in BFLOAT16_FLAGS)


def with_policy(model, policy: str):
    """A copy of ``model`` (same weights) whose layers compute in dtype ``policy``, except the
    output layer, which stays float32 so that probabilities and the loss keep their precision."""
    import keras

    output_layer = model.layers[-1]

    def clone(layer):
        dtype = "float32" if layer is output_layer else policy
        return layer.__class__.from_config({**layer.get_config(), "dtype": dtype})

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy
