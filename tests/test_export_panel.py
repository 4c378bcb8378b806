"""The export panel without a notebook: export() writes, checks, zips and previews the app."""

from __future__ import annotations

import html
import re

import pytest

from handwriting.export import ExportError, ParityError
from handwriting.widgets import ExportPanel


@pytest.mark.browser
def test_export_writes_a_checked_app_with_preview_and_download(tiny_model, tmp_path):
    panel = ExportPanel(tiny_model, out_dir=str(tmp_path / "app"), verify_digits=200)
    megabytes = tiny_model.count_params() * 4 / 1e6  # 4 bytes per float32 weight
    assert panel.quantization.label == f"float32 (≈{megabytes:.2f} MB)"
    assert [value for _, value in panel.quantization.options] == ["float32", "float16", "uint8"]
    report = panel.export()
    assert report is not None and report.ok, panel.message.value
    assert (tmp_path / "app" / "index.html").is_file() and panel.zip_path.is_file()
    assert "matches Keras" in panel.message.value and "max |Δp|" in panel.message.value
    assert (
        'download="app.zip"' in panel.download.value
        and "data:application/zip;base64," in panel.download.value
    )
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', panel.preview.value).group(1))
    assert "window.HANDWRITING_MODEL" in srcdoc and "window.HANDWRITING_WASM" in srcdoc
    assert "connect-src blob:;" in srcdoc, "the preview fetches only the blobs it makes itself"
    assert "<script src=" not in srcdoc, "the preview must not need a server"
    assert not panel.export_button.disabled


@pytest.mark.browser
def test_preview_runs_tfjs_on_wasm_in_its_sandboxed_iframe(tiny_model, tmp_path, page, mnist_small):
    """The panel's own iframe (srcdoc, sandboxed, no server): the inlined wasm binaries load."""
    import numpy as np

    from handwriting.export import tfjs_predict

    panel = ExportPanel(tiny_model, out_dir=str(tmp_path / "app"), verify=False)
    panel.export()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_content(panel.preview.value)
    preview = page.frames[1]
    preview.wait_for_function("() => window.handwriting !== undefined")
    assert (
        preview.evaluate("() => window.handwriting.ready.then(() => 'ok', e => String(e))") == "ok"
    )
    assert preview.evaluate("window.handwriting.backend()") == "wasm", preview.inner_text("#status")
    assert "wasm backend with SIMD, chosen automatically" in preview.inner_text("#status")
    x = mnist_small[1][0][:10]
    np.testing.assert_allclose(
        tfjs_predict(preview, x), tiny_model.predict(x, verbose=0), atol=1e-4
    )
    assert all(url.startswith(("about:", "blob:", "data:")) for url in requests), requests


def test_the_app_carries_the_models_calibration_as_from_the_cli(tiny_model, tmp_path):
    """The pretrained model's and a .keras file's saved calibration reach export.json."""
    import json

    from handwriting.honest.calibration import Calibration
    from handwriting.models.digit_model import PRETRAINED, pretrained_record
    from handwriting.training import save_model

    path = tmp_path / "tiny.keras"
    save_model(tiny_model, path)
    Calibration(temperature=2.5, sure=0.75, pair=0.85, floor=0.6).save(path)
    expected = {
        path: {"temperature": 2.5, "sure": 0.75, "pair": 0.85, "floor": 0.6},
        PRETRAINED: pretrained_record()["calibration"],
        tiny_model: Calibration().as_dict(),
    }  # a model object carries none
    for source, calibration in expected.items():
        panel = ExportPanel(source, out_dir=str(tmp_path / "app"), verify=False)
        panel.export()
        assert (
            json.loads((tmp_path / "app" / "export.json").read_text())["calibration"] == calibration
        )
        shown = ", ".join(
            f"{name} {calibration[name]:g}" for name in ("temperature", "sure", "pair", "floor")
        )
        assert f"calibration in export.json: {shown}." in panel.message.value  # as the app reads it


def test_following_a_training_panel_the_app_carries_each_models_own_calibration(
    mnist_small, personal_drawings, tmp_path
):
    """What the CLI saves beside the model: fitted on the run's validation digits after Train,
    refitted after Fine-tune (never the default temperature 1 of a bare model object)."""
    import json

    from handwriting.honest.calibration import fit
    from handwriting.widgets import TrainingPanel

    panel = TrainingPanel(data=mnist_small, architecture="tiny", epochs=1, seed=0)
    export = ExportPanel(panel, out_dir=str(tmp_path / "app"), verify=False)

    def exported() -> dict:
        export.export()
        return json.loads((tmp_path / "app" / "export.json").read_text())["calibration"]

    panel.train(wait=True)
    trained = fit(panel.model, *panel.last_run.validation)
    assert export.calibration == trained and exported() == trained.as_dict()
    panel.finetune(personal_drawings, wait=True, epochs=1)
    refitted = panel.finetune_result.calibration
    assert export.model is panel.model and export.calibration is refitted != trained
    assert refitted.temperature != 1 and exported() == refitted.as_dict()


def test_export_without_a_model_explains_what_to_do(tmp_path):
    panel = ExportPanel(out_dir=str(tmp_path / "app"))
    with pytest.raises(ExportError, match="No model to export yet"):
        panel.export()
    assert "No model to export yet" in panel.message.value
    panel.export_button.click()  # a click shows it and raises nothing
    assert "No model to export yet" in panel.message.value
    assert not (tmp_path / "app").exists()


def test_a_failed_export_keeps_the_earlier_one(tiny_model, tmp_path, monkeypatch):
    panel = ExportPanel(tiny_model, out_dir=str(tmp_path / "app"), verify=False)
    panel.export()
    before = (tmp_path / "app" / "model" / "model.json").read_bytes()

    import handwriting.export as export_module

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module.app.shutil, "copyfile", broken)
    with pytest.raises(ExportError, match="No space left"):
        panel.export()
    assert "No space left" in panel.message.value and "not changed" in panel.message.value
    assert (tmp_path / "app" / "model" / "model.json").read_bytes() == before
    assert not panel.export_button.disabled


def test_existing_folder_is_refused_unless_replacing_is_ticked(tiny_model, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    panel = ExportPanel(tiny_model, out_dir=str(tmp_path / "mine"), verify=False)
    panel.overwrite.value = False
    with pytest.raises(ExportError, match="already exists"):
        panel.export()
    assert "already exists" in panel.message.value
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_a_model_of_the_wrong_shape_is_refused(tmp_path):
    import keras

    from handwriting.models.digit_model import ModelError

    wrong = keras.Sequential(
        [keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    with pytest.raises(ModelError, match="28, 28, 1"):
        ExportPanel(wrong)


def _no_chromium(*args, **kwargs):
    from handwriting.browser import BrowserUnavailableError

    raise BrowserUnavailableError("No Chromium found (simulated).")


def test_without_chromium_the_check_is_an_error_outside_colab(tiny_model, tmp_path, monkeypatch):
    from handwriting import jobs
    from handwriting.browser import BrowserUnavailableError

    monkeypatch.setattr(jobs, "verify_export", _no_chromium)  # where the export job calls it
    panel = ExportPanel(tiny_model, out_dir=str(tmp_path / "app"))
    with pytest.raises(BrowserUnavailableError):
        panel.export()
    assert "No Chromium found" in panel.message.value


def test_in_colab_the_check_is_skipped_saying_so(tiny_model, tmp_path, monkeypatch):
    import sys
    import types

    from handwriting import jobs

    monkeypatch.setattr(jobs, "verify_export", _no_chromium)  # where the export job calls it
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    panel = ExportPanel(tiny_model, out_dir=str(tmp_path / "app"))
    result = panel.export()
    assert result.out_dir == (tmp_path / "app").resolve() and panel.report is None
    assert "Parity check skipped: Colab has no Chromium" in panel.message.value


def test_a_failed_parity_check_is_shown_and_raised(tiny_model, tmp_path, monkeypatch):
    import handwriting.export as export_module
    from handwriting import jobs

    def differs(model, out_dir, **kwargs):
        return export_module.ParityReport(
            digits=500,
            backend="cpu",
            quantization="uint8",
            max_abs_diff=0.3,
            argmax_agreement=0.97,
            keras_accuracy=0.95,
            tfjs_accuracy=0.93,
            drawings=10,
            preprocess_max_diff=0.0,
            preprocess_reasons_agree=True,
        )

    monkeypatch.setattr(jobs, "verify_export", differs)
    panel = ExportPanel(tiny_model, out_dir=str(tmp_path / "app"))
    panel.quantization.value = "uint8"
    with pytest.raises(ParityError, match="float32 weights keep Keras' answers"):
        panel.export()
    assert "DIFFERS" in panel.message.value and "97.00%" in panel.message.value


def test_a_zip_that_cannot_be_written_is_refused_before_the_app_is(tiny_model, tmp_path):
    """The panel always makes <folder>.zip: a folder of that name is found before converting."""
    (tmp_path / "app.zip").mkdir()
    panel = ExportPanel(tiny_model, out_dir=str(tmp_path / "app"), verify=False)
    with pytest.raises(ExportError, match=r"app\.zip is a folder"):
        panel.export()
    assert "app.zip is a folder" in panel.message.value
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.zip"]
