"""Sphinx configuration of the Handwriting Lab documentation site (docs/README.md says why
Sphinx + MyST-NB and how the site is built: ``make docs``).

The build must work offline and without warnings (``sphinx-build -W --keep-going -n``): nothing is
fetched while building (no intersphinx, no notebook execution, no remote images), and the pages
load nothing from another site when viewed (no CDN scripts or fonts; the theme's assets are
copied into the site).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docutils import nodes

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # the package from this checkout, as the notebooks use it

import handwriting  # noqa: E402

project = "Handwriting Lab"
author = "Handwriting Lab contributors"
copyright = "Handwriting Lab contributors, MIT licence"
release = version = handwriting.__version__

extensions = [
    "myst_nb",  # Markdown pages (MyST) and the notebooks as pages
    "sphinx.ext.autodoc",  # the API reference, from the docstrings
    "sphinx.ext.napoleon",  # ... written in Google style (GUIDE.md)
]

# Only these files are pages: docs/lab holds the notebooks as run by docs/run_notebooks.py
# (make notebook-pages), outputs and all; nothing else there may become a page.
include_patterns = [
    "index.md",
    "notebooks.md",
    "benchmarks.md",
    "guides/*.md",
    "reference/*.md",
    "lab/[0-9][0-9]_*.ipynb",
]
exclude_patterns = ["README.md", "_build", "lab/.ipynb_checkpoints"]

# --- MyST and the notebooks ------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3  # [text](page.md#a-heading) works for headings down to ###
nb_execution_mode = "off"  # pages show the notebooks as stored (they are committed without
#                            outputs); executing them needs MNIST, TensorFlow time and a browser
nb_ipywidgets_js = {}  # never load the widget manager from a CDN (it would come from jsdelivr)
nb_merge_streams = True

# --- The API reference -----------------------------------------------------------------------
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True  # "Attributes:" as fields: traitlets are documented once, as members

# --- HTML: everything served from the site itself --------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "Handwriting Lab"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "header_links_before_dropdown": 3,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_show_sourcelink = False
html_last_updated_fmt = None

# Build-time warnings that are errors (sphinx-build -W): broken links between pages, missing
# pictures, unknown cross-references. Python references inside docstrings are not checked
# (nitpicky off) because the types they name (numpy, keras, ipywidgets) have no inventory offline.
nitpicky = False
suppress_warnings: list[str] = []

LIVE_KERNEL_NOTE = (
    "This page shows the notebook as it ran in quick mode (small MNIST subsets, one epoch: "
    "make notebook-pages), with its plots, tables and printed output. Its widgets (the training "
    "panel, the drawing pad, the export panel, ...) need a live kernel and are not shown here: "
    "open the notebook in JupyterLab (make lab), on Binder or in Colab to use them."
)


def _live_kernel_note(app, doctree):
    """Put LIVE_KERNEL_NOTE under the title of every notebook page."""
    if not app.env.docname.startswith("lab/"):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    note = nodes.note("", nodes.paragraph(text=LIVE_KERNEL_NOTE))
    section.insert(1, note)


def setup(app):
    app.connect("doctree-read", _live_kernel_note)
