"""Model soups: fine-tunes of one run, their weights averaged into one model that is saved,
calibrated and recorded like a run (``python -m handwriting average``)."""

import json

import numpy as np
import pytest

from handwriting.__main__ import main
from handwriting.models import soup
from handwriting.models.digit_model import ModelError, load_model


def test_each_weight_of_the_soup_is_the_mean_of_the_models(tiny_model, second_tiny_model):
    averaged = soup.average_weights([tiny_model, second_tiny_model])
    for mean, a, b in zip(
        averaged.get_weights(),
        tiny_model.get_weights(),
        second_tiny_model.get_weights(),
        strict=True,
    ):
        np.testing.assert_allclose(mean, (a + b) / 2, rtol=1e-6, atol=1e-7)
    assert averaged.output_shape == (None, 10)
    assert not np.array_equal(tiny_model.get_weights()[0], averaged.get_weights()[0])


def test_one_model_or_models_of_other_layers_are_refused_clearly(tiny_model):
    from handwriting.models import architectures

    with pytest.raises(ModelError, match="two models or more"):
        soup.average_weights([tiny_model])
    with pytest.raises(ModelError, match="has other layers than"):
        soup.average_weights([tiny_model, architectures.build("dnn")])


def test_average_saves_a_calibrated_soup_of_two_runs_with_its_record(tmp_path, capsys):
    first, second, averaged = tmp_path / "first", tmp_path / "second", tmp_path / "soup"
    train = ["train", "--arch", "tiny", "--epochs", "1", "--quick"]
    assert main([*train, "--out", str(first)]) == 0
    fine_tune = ["--seed", "1", "--init", str(first / "model.keras")]
    assert main([*train, *fine_tune, "--out", str(second)]) == 0
    assert main(["average", str(first), str(second), "--out", str(averaged), "--quick"]) == 0
    printed = capsys.readouterr().out
    assert f"Averaged the weights of {first}, {second}" in printed and "Calibration:" in printed

    model = load_model(averaged / "model.keras")
    expected = [
        (a + b) / 2
        for a, b in zip(
            load_model(first / "model.keras").get_weights(),
            load_model(second / "model.keras").get_weights(),
            strict=True,
        )
    ]
    for got, mean in zip(model.get_weights(), expected, strict=True):
        np.testing.assert_allclose(got, mean, rtol=1e-5, atol=1e-6)
    assert (averaged / "model.calibration.json").is_file()
    run = json.loads((averaged / "run.json").read_text())
    assert run["averaged"] == [str(first), str(second)] and len(run["configs"]) == 2
    record = run["record"]
    assert record["architecture"] == "tiny" and record["epochs"] == 2
    assert 0 < record["val_accuracy"] <= 1 and 0 < record["test_accuracy"] <= 1


def _fake_run(folder, architecture: str) -> None:
    """A run folder whose model is never read: its refusal comes first."""
    folder.mkdir()
    (folder / "model.keras").write_bytes(b"not read: refused before")
    record = {
        **dict.fromkeys(("epochs", "epochs_planned", "train_size", "validation_size"), 1),
        **dict.fromkeys(("seconds", "train_accuracy", "val_accuracy", "test_accuracy"), 0.5),
        "architecture": architecture,
        "batch_size": 32,
        "learning_rate": 1e-3,
        "augment": False,
        "parameters": 10,
    }
    (folder / "run.json").write_text(json.dumps({"record": record}))


@pytest.mark.parametrize(
    "runs, out, message",
    [
        (["tiny"], "soup", "two runs or more"),
        (["tiny", "missing"], "soup", "missing holds no trained run"),
        (["tiny", "dnn"], "soup", "Only runs of one architecture"),
        (["tiny", "tiny"], "tiny", "would destroy an input"),
    ],
)
def test_average_refuses_bad_runs_before_any_work(runs, out, message, tmp_path, capsys):
    _fake_run(tmp_path / "tiny", "tiny")
    _fake_run(tmp_path / "dnn", "dnn")
    argv = ["average", *(str(tmp_path / run) for run in runs), "--out", str(tmp_path / out)]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "soup").exists()
