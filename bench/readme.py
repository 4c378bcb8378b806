"""The figures of the README and the documentation pages are generated from
bench/results.json, never typed by hand.

Each block sits between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` in one of the
:func:`pages` (README.md and the docs' Markdown pages): NAME a section of results.json (its
stamp line and tables), ``headline`` (the README's table of the figures that matter,
:mod:`bench.headline`), ``explorations:ID`` (a figure measured once while exploring, recorded in
results.json's ``explorations`` with its date and command) or ``costs:MODEL`` (what calibration
and the not-a-digit rule cost a model, from its drawn-section rows). ``python -m bench
--readme`` rewrites the blocks (a full benchmark run does it too); a test checks that every page
is what results.json generates, and :func:`hand_typed_figures` that no measured figure is typed
outside them.
"""

from __future__ import annotations

import re

from handwriting import files

from . import headline
from .common import ROOT, exploration_markdown, load_results, stamp

README = ROOT / "README.md"
DOCS = ROOT / "docs"


def pages() -> list:
    """The Markdown pages people read: README.md, then the documentation site's pages
    (docs/README.md, about building the site, included; docs/lab, the notebooks, is not)."""
    docs = [path for folder in ("", "guides", "reference") for path in (DOCS / folder).glob("*.md")]
    return [README, *sorted(docs)]


_BLOCK = re.compile(r"(<!-- bench:([\w:]+) -->\n)(?:.*?\n)?(<!-- /bench:\2 -->)", re.DOTALL)


class ReadmeError(ValueError):
    """A page names a section or an exploration that results.json does not have."""


def section_block(section: dict) -> str:
    """What the README shows of one section: its stamp line and its tables."""
    return f"{stamp(section)}\n\n{section['markdown']}"


def render_readme(text: str, results: dict) -> str:
    """``text`` with every generated block rebuilt from ``results``."""

    def rebuild(match):
        return match.group(1) + block(match.group(2), results) + "\n" + match.group(3)

    return _BLOCK.sub(rebuild, text)


def block(name: str, results: dict) -> str:
    """The text of the block ``name``: a section (``accuracy``), an exploration
    (``explorations:ID``) or what a model's calibration and floor cost (``costs:MODEL``)."""
    kind, _, key = name.partition(":")
    if name == "headline":
        return headline.markdown(results)
    if kind == "explorations":
        entries = {entry["id"]: entry for entry in results.get("explorations", [])}
        if key not in entries:
            raise ReadmeError(
                f"A page has a block for exploration {key!r}, which bench/results.json's "
                "explorations lack: record it there (id, date, command, what, columns, rows)."
            )
        return exploration_markdown(entries[key])
    section = "drawn" if kind == "costs" else name
    if section not in results["sections"]:
        raise ReadmeError(
            f"A page has a block for section {section!r}, which bench/results.json "
            f"lacks: run `python -m bench --only {section}` first."
        )
    if kind == "costs":
        return costs(results["sections"]["drawn"], key)
    return section_block(results["sections"][name])


def _moved(before: float, after: float) -> str:
    return "raises" if after > before else "lowers" if after < before else "leaves"


def _not_answered(family: dict) -> float:
    """Share of a digit family the pad does not answer as a digit: unsure, not a digit, refused
    (what "flagged" means for a non-digit)."""
    return family["unsure"] + family["not_a_digit"] + family["refused"]


def costs(drawn: dict, model: str) -> str:
    """What calibration and the not-a-digit rule cost ``model``, from its drawn-section row:
    said next to what they buy, so that no sentence of the README claims the gain alone."""
    row = drawn["data"]["models"][model]
    mnist, writers = row["mnist"], row.get("real_writers")
    raw, calibrated = mnist["confident_mistakes_uncalibrated"], mnist["confident_mistakes"]
    text = (
        f"What calibration and the not-a-digit rule cost `{model}` (its rows in the drawn "
        f"section, measured {row['measured']['date']}): calibration "
        f"{_moved(mnist['ece_before'], mnist['ece_after'])} its expected calibration error on "
        f"the redrawn MNIST digits from {mnist['ece_before']:.3f} to {mnist['ece_after']:.3f}, "
        f"and {_moved(raw, calibrated)} its confident mistakes (wrong at >= 90% confidence) from "
        f"{raw:.1%} to {calibrated:.1%} of its {mnist['mistakes']} mistakes there"
    )
    if writers:
        text += (
            f"; on the real writers' digits it takes the error from {writers['ece_before']:.3f} "
            f"to {writers['ece_after']:.3f} and the confident mistakes from "
            f"{writers['confident_mistakes_uncalibrated']:.1%} to "
            f"{writers['confident_mistakes']:.1%} of {writers['mistakes']}"
        )
    text += (
        f". The rule leaves {row['mnist_test']['flagged']:.1%} of the MNIST test digits "
        f"unanswered (not sure, not a digit or refused), but {_not_answered(mnist):.1%} of the "
        f'redrawn stroke digits the pad gets ({mnist["not_a_digit"]:.1%} "not a digit"; '
        f"{mnist['answered_right']:.1%} answered right)"
    )
    if writers:
        text += (
            f" and {_not_answered(writers):.1%} of the real writers' digits "
            f'({writers["not_a_digit"]:.1%} "not a digit"; {writers["answered_right"]:.1%} '
            "answered right)"
        )
    return text + "."


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


def write_readme() -> list:
    """Rewrite the blocks of every page from bench/results.json; the pages that changed."""
    results, changed = load_results(), []
    for page in pages():
        text = page.read_text()
        updated = render_readme(text, results)
        if updated != text:
            files.write_text(page, updated)
            changed.append(page)
    return changed


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
