"""Keras model -> self-contained TF.js browser app, its zip, the parity check in Chromium, and
the one-file preview for a notebook.

- :mod:`~.manifest`: export.json and its one reader (twinned in web/manifest.js);
- :mod:`~.app`: writing the app (atomically) and its zip;
- :mod:`~.parity`: the app in headless Chromium against Keras;
- :mod:`~.preview`: the app as one html page for an ``<iframe srcdoc>``.

Layer: above :mod:`handwriting.honest` (the calibration travels in export.json), beside
:mod:`handwriting.inspection`; the export job, the export panel and the CLI call it.
"""

from .app import (
    APP_FILES,
    QUANTIZATIONS,
    STAGING_ATTEMPTS,
    WASM_FILES,
    ExportResult,
    check_whole_export,
    export_web_app,
    make_zip,
    read_export_file,
    remove_stale_staging,
    web_dir,
)
from .manifest import (
    CALIBRATION_KEYS,
    CALIBRATION_NUMBERS,
    CALIBRATION_OPTIONAL,
    FORMAT,
    MANIFEST,
    MANIFEST_FIX,
    MANIFEST_KEYS,
    MANIFEST_OPTIONAL,
    MANIFEST_QUANTIZATIONS,
    MODEL_DIR,
    MODEL_INPUT,
    MODEL_JSON,
    MODEL_OUTPUT,
    TFJS_VERSION,
    ExportError,
    check_manifest,
    read_manifest,
)
from .parity import (
    FLOAT32_TOLERANCE,
    MAX_ACCURACY_LOSS,
    MIN_ARGMAX_AGREEMENT,
    PARITY_DIGITS,
    PREPROCESS_TOLERANCE,
    ParityError,
    ParityReport,
    compare_preprocessing,
    image_planes,
    js_preprocess,
    js_read_number,
    js_read_number_strokes,
    open_app,
    parity_drawings,
    tfjs_predict,
    verify_export,
)
from .preview import (
    standalone_html,
)

__all__ = [
    "CALIBRATION_KEYS",
    "CALIBRATION_NUMBERS",
    "CALIBRATION_OPTIONAL",
    "FORMAT",
    "MANIFEST",
    "MANIFEST_FIX",
    "MANIFEST_KEYS",
    "MANIFEST_OPTIONAL",
    "MANIFEST_QUANTIZATIONS",
    "MODEL_DIR",
    "MODEL_INPUT",
    "MODEL_JSON",
    "MODEL_OUTPUT",
    "TFJS_VERSION",
    "ExportError",
    "check_manifest",
    "read_manifest",
    "APP_FILES",
    "QUANTIZATIONS",
    "STAGING_ATTEMPTS",
    "WASM_FILES",
    "ExportResult",
    "check_whole_export",
    "export_web_app",
    "make_zip",
    "read_export_file",
    "remove_stale_staging",
    "web_dir",
    "FLOAT32_TOLERANCE",
    "MAX_ACCURACY_LOSS",
    "MIN_ARGMAX_AGREEMENT",
    "PARITY_DIGITS",
    "PREPROCESS_TOLERANCE",
    "ParityError",
    "ParityReport",
    "compare_preprocessing",
    "image_planes",
    "js_preprocess",
    "js_read_number",
    "js_read_number_strokes",
    "open_app",
    "parity_drawings",
    "tfjs_predict",
    "verify_export",
    "standalone_html",
]
