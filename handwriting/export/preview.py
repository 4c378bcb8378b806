"""The exported app as one html document, for the notebook's ``<iframe srcdoc>`` preview."""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

from .app import WASM_FILES, read_export_file
from .manifest import MANIFEST_FIX, MODEL_DIR, MODEL_JSON, ExportError, read_manifest


def standalone_html(out_dir: str | os.PathLike) -> str:
    """The exported app as ONE html document: scripts, styles, model and wasm binaries inlined.

    For the in-notebook preview (an ``<iframe srcdoc>``): it needs no server, so it works the
    same in JupyterLab, Colab and VS Code. The app reads the inlined model from
    ``window.HANDWRITING_MODEL`` (with export.json's content, checked by the same reader as
    the served app's) instead of fetching model/model.json, and the wasm backend's
    binaries from ``window.HANDWRITING_WASM``. TF.js can only *fetch* a .wasm binary, so the page
    turns those bytes into blob: URLs (web/backend.js); ``connect-src blob:`` lets it fetch
    exactly those, and nothing over the network. ``'wasm-unsafe-eval'`` lets it compile them.

    Raises:
        ExportError: the export is damaged (export.json refused by :func:`read_manifest`, a
            file missing, model.json broken); the message names the file.
    """
    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir)
    page = read_export_file(out_dir, "index.html").decode()
    try:
        model_json = json.loads(read_export_file(out_dir, MODEL_JSON))
        shards = [
            f"{MODEL_DIR}/{path}"
            for group in model_json["weightsManifest"]
            for path in group["paths"]
        ]
    except (ValueError, KeyError, TypeError) as err:
        raise ExportError(
            f"{out_dir / MODEL_JSON} is not a TF.js model.json ({err!r:.80}). {MANIFEST_FIX}"
        ) from None
    weights = base64.b64encode(b"".join(read_export_file(out_dir, p) for p in shards)).decode(
        "ascii"
    )
    wasm = {
        name: base64.b64encode(read_export_file(out_dir, name)).decode("ascii")
        for name in WASM_FILES
    }
    data_script = (
        "window.HANDWRITING_MODEL = "
        + json.dumps({"modelJSON": model_json, "weightsBase64": weights, "manifest": manifest})
        + ";\n"
        "window.HANDWRITING_WASM = " + json.dumps(wasm) + ";"
    ).replace("</", "<\\/")

    def inline_script(match):
        source = read_export_file(out_dir, match.group(1)).decode()
        prefix = f"<script>{data_script}</script>\n" if match.group(1) == "app.js" else ""
        return prefix + "<script>" + source.replace("</script", "<\\/script") + "</script>"

    page = re.sub(r'<script src="([^"]+)"></script>', inline_script, page)
    page = re.sub(
        r'<link rel="stylesheet" href="([^"]+)">',
        lambda m: f"<style>{read_export_file(out_dir, m.group(1)).decode()}</style>",
        page,
    )
    csp = (
        "default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; "
        "style-src 'unsafe-inline'; img-src data: blob:; connect-src blob:; worker-src blob:"
    )
    return re.sub(
        r'(<meta http-equiv="Content-Security-Policy" content=")[^"]*(")',
        lambda m: m.group(1) + csp + m.group(2),
        page,
    )
