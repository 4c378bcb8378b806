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
_BLOCK = re.compile(r"(<!-- bench:([\w:]+) -->\n)(?:.*?\n)?(<!-- /bench:\2 -->)", re.DOTALL)


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


_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"  # 1,498 or 12.5
_UNIT = r"%|ms|s|sec|seconds?|min|minutes?|hours?|[KMG]i?B|kB"
_FIG = rf"~?(?:{_NUMBER})(?:\s?[–-]\s?(?:{_NUMBER}))?\s?(?:{_UNIT})"  # 35–85 %, 17 s, ~0.58 MB
#: A number or a range followed by a unit, with or without a space.
FIGURE = re.compile(
    rf"(?<![\w.,])(?P<number>{_NUMBER})(?:\s?[–-]\s?(?:{_NUMBER}))?(?P<space>\s?)"
    rf"(?P<unit>{_UNIT})(?![\w%])"
)
#: The figures the README may type by hand: definitions, not measurements (pattern: why).
#: Each pattern is matched around the figure. Keep it short: a threshold, or a setting that
#: the code names.
ALLOWED_FIGURES = {
    rf"(?:≥|≤|>=|<=)\s*{_FIG}": "a threshold compared against: a target or a rule's setting",
    rf"{_FIG} or (?:more|less)": "the same threshold, in words",
    r"[Tt]ime to 99 %": "the speed target's name (bench/time_to_99.py, TARGET)",
    r"35–85 % of the canvas": "the height drawings are made at (drawn.drawing.Variation.height)",
    r"1 % of the held-out images fall below it": "the floor's share (NOT_A_DIGIT_SHARE)",
    r"below 99\.5 % same answers": "the export's parity check (MIN_ARGMAX_AGREEMENT)",
    r"in 20 seconds": "the time Quick, Draw! gives its players (a rule of the game)",
}
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def hand_typed_figures(text: str) -> list[str]:
    """The measured figures typed by hand in ``text`` (a README), each with its line.

    A figure is a number followed by a unit (``%``, ``ms``, ``s``, ``min``, ``MB``, ``KB``,
    ``GiB``, ... with or without a space; ``1,498``-style thousands and ranges such as
    ``35–85 %`` included), outside code (fenced blocks, inline code) and outside the generated
    blocks. A measurement belongs in bench/results.json (a section, or ``explorations``) and
    reaches the README through a generated block, so it can be traced to the run that made it.
    A figure typed by hand is allowed only when the words around it show it is a definition,
    not a measurement (:data:`ALLOWED_FIGURES`): a threshold (``≥ 90 %``, ``99.5 % or more``)
    or a setting the code names. "At most" or "at least" are not enough: "rose to at most
    1.9 %" is a measurement. ``s`` glued to a single digit is a plural ("most 7s"), not seconds.
    """
    prose = _CODE.sub(" ", outside_blocks(text))
    allowed = [  # a space in a pattern matches any white space: the prose is wrapped
        m.span()
        for pattern in ALLOWED_FIGURES
        for m in re.finditer(pattern.replace(" ", r"\s+"), prose)
    ]
    found = []
    for match in FIGURE.finditer(prose):
        start, end = match.span()
        plural = match["unit"] == "s" and not match["space"] and len(match["number"]) == 1
        if plural or any(a <= start and end <= b for a, b in allowed):
            continue
        line = prose[prose.rfind("\n", 0, start) + 1 :].split("\n", 1)[0]
        found.append(f"{match.group()!r} in: {line.strip()}")
    return found
