"""The browser app's static files (index.html, app.js, preprocess.js, style.css, vendored tf.min.js).

Installed as ``handwriting.web`` so that :func:`handwriting.export.export_web_app` can copy them.
"""
