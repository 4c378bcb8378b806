"""The pictures of the README and the docs (docs/images/, made by `make screenshots`): every
picture a page names exists, every picture is named by a page, and together they stay small.

A page names a picture with Markdown (``![what it shows](images/x.png)``), HTML
(``<img src="images/x.png">``) or a MyST ``{image}`` / ``{figure}`` directive, relative to the
page: ``docs/images/x.png`` from README.md, ``images/x.png`` from docs/index.md,
``../images/x.png`` from docs/guides/*.md. Code (fenced blocks and `inline code`) names nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT

from bench.readme import pages

IMAGES = ROOT / "docs" / "images"
MAX_TOTAL_KB = 500  # "a few hundred KB in all" (issue 34): the README loads them all

_FENCE = re.compile(r"^(`{3,}|~{3,})(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_MARKDOWN = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_HTML = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_DIRECTIVE = re.compile(r"^(?:`{3,}|:{3,})\{(?:image|figure)\}[ \t]+(\S+)", re.MULTILINE)


def named_pictures(text: str) -> list[str]:
    """The local pictures a Markdown page names (URLs and data: images left out), in order."""
    directives = _DIRECTIVE.findall(text)  # before the fences go: a directive is fenced too
    prose = _INLINE_CODE.sub("", _FENCE.sub("", text))
    names = directives + _MARKDOWN.findall(prose) + _HTML.findall(prose)
    return [name for name in names if not re.match(r"[a-z][a-z0-9+.-]*:|//", name, re.I)]


def resolved(page: Path, name: str) -> Path:
    return (page.parent / name.split("#")[0].split("?")[0]).resolve()


def test_named_pictures_are_found_in_markdown_html_and_directives_not_in_code():
    page = """![A pad](images/pad.png "title") and <img alt="x" src='../images/app.webp'>
[![badge](data:image/png;base64,iVBORw0KGgo=)](#credits) <img src='data:image/gif;base64,R0lGOD'>
`![not a picture](images/inline.png)`

```markdown
![not a picture either](images/fenced.png)
```

```{image} images/directive.png
:alt: a directive
```
"""
    assert sorted(named_pictures(page)) == [
        "../images/app.webp",
        "images/directive.png",
        "images/pad.png",
    ]


def test_every_picture_the_docs_name_exists():
    missing = [
        f"{page.relative_to(ROOT)}: {name}"
        for page in pages()
        for name in named_pictures(page.read_text())
        if not resolved(page, name).is_file()
    ]
    assert not missing, "pictures named but missing (make screenshots writes them):\n" + "\n".join(
        missing
    )


def test_every_picture_in_docs_images_is_named_by_a_page():
    """No orphans: a picture `make screenshots` writes is shown by the README or a docs page."""
    named = {resolved(page, name) for page in pages() for name in named_pictures(page.read_text())}
    orphans = [
        path.name
        for path in sorted(IMAGES.iterdir())
        if not path.name.startswith(".") and path.resolve() not in named
    ]
    assert not orphans, f"docs/images/ files no page names: {orphans}"


def test_the_pictures_are_small():
    sizes = {path.name: path.stat().st_size for path in IMAGES.iterdir() if path.is_file()}
    assert sizes, "docs/images/ is empty: run make screenshots"
    assert sum(sizes.values()) <= MAX_TOTAL_KB * 1000, sizes
