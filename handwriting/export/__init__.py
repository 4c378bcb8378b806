"""Keras model -> self-contained TF.js browser app, its zip, the parity check in Chromium, and
the one-file preview for a notebook (see :mod:`handwriting.export.app`).

Layer: above :mod:`handwriting.honest` (the calibration travels in export.json), beside
:mod:`handwriting.inspection`; the export panel and the CLI call it.
"""
from .app import (APP_FILES, FLOAT32_TOLERANCE, FORMAT, MANIFEST, MAX_ACCURACY_LOSS,
                  MIN_ARGMAX_AGREEMENT, MODEL_DIR, PREPROCESS_TOLERANCE, QUANTIZATIONS,
                  STAGING_ATTEMPTS, TFJS_VERSION, WASM_FILES, ExportError, ExportResult, ParityError,
                  ParityReport, compare_preprocessing, export_web_app, js_preprocess, make_zip,
                  open_app, parity_drawings, remove_stale_staging, standalone_html, tfjs_predict,
                  verify_export, web_dir)

__all__ = ["APP_FILES", "FLOAT32_TOLERANCE", "FORMAT", "MANIFEST", "MAX_ACCURACY_LOSS",
           "MIN_ARGMAX_AGREEMENT", "MODEL_DIR", "PREPROCESS_TOLERANCE", "QUANTIZATIONS",
           "STAGING_ATTEMPTS", "TFJS_VERSION", "WASM_FILES", "ExportError", "ExportResult",
           "ParityError", "ParityReport", "compare_preprocessing", "export_web_app", "js_preprocess",
           "make_zip", "open_app", "parity_drawings", "remove_stale_staging", "standalone_html",
           "tfjs_predict", "verify_export", "web_dir"]
