"""Mixed precision: bfloat16 only where the CPU has it, and the trained model handed back in
float32."""

import numpy as np
import pytest

from handwriting.models import architectures, precision
from handwriting.training import TrainingConfig, TrainingRun
from handwriting.training import run as training


def test_bfloat16_is_detected_from_the_cpu_flags(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    detect = precision.native_bfloat16.__wrapped__  # not the cached answer for this machine
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f amx_bf16 amx_tile\n")
    assert detect(cpuinfo)
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n")
    assert not detect(cpuinfo)
    assert not detect(tmp_path / "missing")  # not Linux: float32


def test_a_policy_copy_keeps_the_weights_and_a_float32_output():
    model = architectures.build("fast")
    mixed = precision.with_policy(model, precision.MIXED)
    assert {layer.dtype_policy.name for layer in mixed.layers[1:-1]} == {precision.MIXED}
    assert mixed.layers[-1].dtype_policy.name == "float32"
    back = precision.with_policy(mixed, "float32")
    assert {layer.dtype_policy.name for layer in back.layers} == {"float32"}
    x = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
    np.testing.assert_array_equal(back.predict(x, verbose=0), model.predict(x, verbose=0))
    assert np.asarray(mixed(x)).dtype == np.float32
    np.testing.assert_allclose(np.asarray(mixed(x)), model.predict(x, verbose=0), atol=0.05)


@pytest.mark.parametrize("stop", [False, True])
def test_a_run_in_bfloat16_hands_back_a_float32_model(mnist_small, monkeypatch, stop):
    monkeypatch.setattr(training, "native_bfloat16", lambda: True)  # bfloat16 even if emulated
    seen = []

    class Watch(training.TrainingListener):
        def on_batch_end(self, run, epoch, batch, logs):
            seen.append({layer.dtype_policy.name for layer in run.model.layers})
            if stop and epoch == 1:
                run.stop()

    run = TrainingRun(
        TrainingConfig.for_architecture("fast", epochs=2, seed=0),
        data=mnist_small,
        listeners=[Watch()],
    )
    record = run.fit()
    assert precision.MIXED in seen[0], "trained in bfloat16"
    assert {layer.dtype_policy.name for layer in run.model.layers} == {"float32"}
    assert run.status == ("stopped" if stop else "finished") and record.test_accuracy > 0.85
    # steps_per_execution=16: Keras reports every 16 batches, and the curves get one point each.
    assert len(run.batch_history["loss"]) == len(seen) < run.steps_per_epoch * run.epochs_done
