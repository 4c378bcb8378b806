"""ExportPanel: one click from a trained model to a checked, downloadable, previewed web app.

A view over :mod:`handwriting.export`: :meth:`ExportPanel.export` writes the app, runs the
Chromium parity check, offers the zip and shows the app itself in an ``<iframe srcdoc>`` (no
server needed, so the preview works the same in JupyterLab and Colab).
"""

from __future__ import annotations

import base64
import html
import sys
import threading
from pathlib import Path

import ipywidgets as widgets

from .. import export as export_module
from .. import jobs
from ..honest.calibration import for_model
from ..models.digit_model import as_digit_model
from ._common import follow_models, shown_not_raised

_BYTES_PER_WEIGHT = {"float32": 4, "float16": 2, "uint8": 1}


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def in_colab() -> bool:
    """True inside Google Colab (which has no Chromium for the parity check)."""
    return "google.colab" in sys.modules


class ExportPanel(widgets.VBox):
    """Export a digit model as a TF.js browser app, check it in Chromium, preview it, zip it.

    The app is exported with the model's calibration: a TrainingPanel's models come with theirs
    (:attr:`TrainingPanel.calibration`, as the CLI's ``train`` and ``finetune`` save them); else
    it is found as the CLI finds it (:func:`~handwriting.honest.calibration.for_model`): the
    pretrained
    model's, the one saved beside a ``.keras`` path, else temperature 1 and the default
    thresholds (a trained model object).

    Args:
        model: a Keras model, a ``.keras`` path, ``"pretrained"`` (the lab's own model), or a
            TrainingPanel (follows its newest model).
        out_dir: where the app is written (replaced on each export when ``overwrite``).
        verify: run the Keras-vs-TF.js parity check in headless Chromium after exporting.
        verify_digits: how many MNIST test digits the check compares (1,000: one digit is the
            0.1 point of accuracy an export may lose).
    """

    def __init__(
        self,
        model=None,
        out_dir: str = "build/web",
        verify: bool = True,
        verify_digits: int = export_module.PARITY_DIGITS,
    ):
        self._model = None
        self.verify_digits = verify_digits
        self.result: export_module.ExportResult | None = None
        self.report: export_module.ParityReport | None = None
        self.zip_path: Path | None = None
        self.error: str | None = None
        self._busy = threading.Lock()

        self.quantization = widgets.Dropdown(
            description="Weights", options=list(_BYTES_PER_WEIGHT), value="float32"
        )
        self.out_dir = widgets.Text(value=str(out_dir), description="Folder")
        self.overwrite = widgets.Checkbox(
            value=True, description="Replace an earlier export", indent=False
        )
        self.verify = widgets.Checkbox(
            value=verify, description="Check TF.js against Keras in Chromium", indent=False
        )
        self.export_button = widgets.Button(
            description="Export", button_style="primary", icon="download"
        )
        self.export_button.on_click(lambda _: shown_not_raised(self.export))
        self.message = widgets.HTML()
        self.message.add_class("hw-export-message")
        self.download = widgets.HTML()
        self.download.add_class("hw-export-download")
        self.preview = widgets.HTML()
        self.preview.add_class("hw-export-preview")
        super().__init__(
            [
                widgets.HBox([self.quantization, self.out_dir]),
                widgets.HBox([self.overwrite, self.verify]),
                self.export_button,
                self.message,
                self.download,
                self.preview,
            ]
        )
        self.add_class("hw-export-panel")
        self.model = model

    @property
    def model(self):
        return self._model

    @model.setter
    def model(self, model) -> None:
        self._set_model(*follow_models(model, self._set_model))

    def _set_model(self, model, calibration=None) -> None:
        self._model = None if model is None else as_digit_model(model)
        self.calibration = for_model(model, calibration)  # from the path, before it becomes a model
        self._update_size_options()

    def _update_size_options(self) -> None:
        weights = 0 if self._model is None else self._model.count_params()
        chosen = self.quantization.value
        self.quantization.options = [
            (f"{name} (≈{_megabytes(weights * size)})" if weights else name, name)
            for name, size in _BYTES_PER_WEIGHT.items()
        ]
        self.quantization.value = chosen

    def export(self) -> export_module.ParityReport | export_module.ExportResult:
        """Write, check, zip and preview the app; earlier exports are kept on any error.

        Every problem is shown in the panel; called from code it is also raised (a parity
        check that fails raises :class:`ExportError`), so a notebook cell that exports fails
        with it. The Export button only shows it. Without Chromium the check is an error,
        except in Colab, which has none: there it is skipped, saying so.

        Returns:
            The :class:`ParityReport` when the check ran, else the :class:`ExportResult`.
        """
        if not self._busy.acquire(blocking=False):
            self._say("An export is already running.", error=True)
            raise export_module.ExportError("An export is already running; wait for it to end.")
        self.export_button.disabled = True
        self.report = None
        try:
            if self._model is None:
                raise export_module.ExportError(
                    "No model to export yet: train one in the training panel first, or create "
                    "the panel with ExportPanel('path/to/model.keras') or "
                    "ExportPanel('pretrained')."
                )
            self._say(
                "Writing the app and checking it in Chromium against Keras…"
                if self.verify.value
                else "Writing the app…"
            )
            self.result, self.report, skipped = jobs.export_and_verify(
                self._model,
                self.out_dir.value,
                quantization=None
                if self.quantization.value == "float32"
                else self.quantization.value,
                overwrite=self.overwrite.value,
                calibration=self.calibration,
                zip=True,
                verify=self.verify.value,
                digits=self.verify_digits,
                without_browser=in_colab(),
            )
            self.zip_path = self.result.zip_path
            if skipped:
                skipped = (
                    "Parity check skipped: Colab has no Chromium to run it in "
                    f"({html.escape(skipped)})."
                )
            self._show_result(skipped)
            if self.report is not None and not self.report.ok:
                raise export_module.ParityError(self.report)  # shown by _show_result
            self.error = None
            return self.report or self.result
        except Exception as err:
            self.error = f"{type(err).__name__}: {err}"
            if not isinstance(err, export_module.ParityError):
                hint = (
                    ""
                    if isinstance(err, (export_module.ExportError, ValueError))
                    else (" The earlier export (if any) was left untouched.")
                )
                self._say(html.escape(str(err)) + hint, error=True)
            raise
        finally:
            self.export_button.disabled = False
            self._busy.release()

    def _say(self, text: str, error: bool = False) -> None:
        colour = "#b00020" if error else "#333"
        self.message.value = f'<div style="color:{colour}">{text}</div>'

    def _show_result(self, note: str = "") -> None:
        result, report = self.result, self.report
        calibration = export_module.read_manifest(result.out_dir)["calibration"]  # as the app does
        numbers = ", ".join(
            f"{name} {calibration[name]:g}" for name in export_module.CALIBRATION_NUMBERS
        )
        lines = [
            f"Wrote <code>{html.escape(str(result.out_dir))}</code>: "
            f"{_megabytes(result.total_bytes)} in all, model {_megabytes(result.model_bytes)} "
            f"({result.quantization or 'float32'} weights); calibration in export.json: "
            f"{numbers}."
        ]
        if report is not None:
            verdict = "matches Keras" if report.ok else "DIFFERS: " + "; ".join(report.problems)
            lines.append(
                f"TF.js ({report.backend}) on {report.digits:,} test digits: max |Δp| "
                f"{report.max_abs_diff:.1e}, same answer as Keras for "
                f"{report.argmax_agreement:.2%}, accuracy {report.tfjs_accuracy:.2%} "
                f"(Keras {report.keras_accuracy:.2%}); preprocessing identical on "
                f"{report.drawings} drawings (max |Δ| {report.preprocess_max_diff:.0e}) — {verdict}"
            )
        if note:
            lines.append(note)
        self._say("<br>".join(lines), error=report is not None and not report.ok)
        payload = base64.b64encode(self.zip_path.read_bytes()).decode("ascii")
        self.download.value = (
            f'<a download="{html.escape(self.zip_path.name)}" href="data:application/zip;base64,'
            f'{payload}">⬇ Download {html.escape(self.zip_path.name)} '
            f"({_megabytes(self.zip_path.stat().st_size)})</a> — unzip and open index.html "
            "from any static web server, e.g. <code>python -m http.server</code>."
        )
        page = html.escape(export_module.standalone_html(result.out_dir), quote=True)
        self.preview.value = (
            "<div><b>Preview: the exported app running TF.js in this notebook</b></div>"
            f'<iframe class="hw-preview-frame" sandbox="allow-scripts" srcdoc="{page}" '
            'style="width:100%;max-width:720px;height:560px;border:1px solid #ccc"></iframe>'
        )
