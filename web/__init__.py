"""The browser app's static files (index.html, app.js, backend.js, preprocess.js, style.css, and
the vendored TF.js: tf.min.js plus its wasm backend, tf-backend-wasm.min.js and two .wasm files).

Installed as ``handwriting.web`` so that :func:`handwriting.export.export_web_app` can copy them.
"""
