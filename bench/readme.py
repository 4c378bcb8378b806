"""The README's result tables are generated from bench/results.json, never typed by hand.

Each block sits between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` in README.md, NAME a
section of results.json; ``python -m bench --readme`` rewrites the blocks (a full benchmark run
does it too), and a test checks that the README is what results.json generates.
"""

from __future__ import annotations

import re

from handwriting import files

from .common import ROOT, load_results, stamp

README = ROOT / "README.md"
_BLOCK = re.compile(r"(<!-- bench:(\w+) -->\n)(?:.*?\n)?(<!-- /bench:\2 -->)", re.DOTALL)


class ReadmeError(ValueError):
    """README.md names a section that results.json does not have."""


def section_block(section: dict) -> str:
    """What the README shows of one section: its stamp line and its tables."""
    return f"{stamp(section)}\n\n{section['markdown']}"


def render_readme(text: str, results: dict) -> str:
    """``text`` with every generated block rebuilt from ``results``."""

    def rebuild(match):
        name = match.group(2)
        if name not in results["sections"]:
            raise ReadmeError(
                f"README.md has a block for section {name!r}, which bench/results.json "
                f"lacks: run `python -m bench --only {name}` first."
            )
        return match.group(1) + section_block(results["sections"][name]) + "\n" + match.group(3)

    return _BLOCK.sub(rebuild, text)


def generated_sections(text: str) -> list[str]:
    """The section names of the README's generated blocks, in order."""
    return [match.group(2) for match in _BLOCK.finditer(text)]


def outside_blocks(text: str) -> str:
    """The README without its generated blocks: the part people write."""
    return _BLOCK.sub("", text)


def rerender(results: dict) -> dict:
    """Rebuild the text and title of every section whose module renders it from its rows
    (``markdown``), so a change in how a table is written (or what it is called) never needs a
    re-measurement."""
    import importlib

    for name, section in results["sections"].items():
        module = importlib.import_module(f"bench.{name}")
        text = module.markdown(section["data"]) if hasattr(module, "markdown") else None
        if text is not None:
            section.update(markdown=text, title=module.TITLE)
    return results


def write_readme() -> bool:
    """Rewrite README.md's blocks from bench/results.json; True when something changed."""
    text = README.read_text()
    updated = render_readme(text, load_results())
    if updated != text:
        files.write_text(README, updated)
    return updated != text
