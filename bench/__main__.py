"""python -m bench [--quick] [--only SECTION ...]: run the benchmarks, write bench/results.*"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from .common import (
    QUICK_MD,
    RESULTS_MD,
    SECTION_ORDER,
    load_results,
    machine,  # noqa: E402
    save_results,
    save_section,
)
from .readme import rerender, write_readme  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small data: a few minutes, not the real figures"
    )
    parser.add_argument("--only", nargs="+", choices=SECTION_ORDER, help="run only these sections")
    parser.add_argument(
        "--arch",
        nargs="+",
        help="accuracy and drawn sections: only these "
        "architectures (drawn: or 'pretrained'; the other rows are kept from the "
        "last run)",
    )
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=("quick", "full"),
        help="learner section: only these modes of the tour (the other is kept from the last run)",
    )
    parser.add_argument(
        "--readme",
        action="store_true",
        help="only rewrite the result tables of README.md and docs/ from bench/results.json",
    )
    args = parser.parse_args(argv)
    if args.readme:
        save_results(rerender(load_results()))
        changed = write_readme()
        print("Updated " + ", ".join(p.name for p in changed) if changed else "Pages up to date")
        return 0
    if not os.environ.get("HANDWRITING_MNIST"):
        print("note: $HANDWRITING_MNIST is not set; Keras will download MNIST.", file=sys.stderr)
    for name in args.only or SECTION_ORDER:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {module.TITLE}", flush=True)
        options = {"archs": args.arch} if name in ("accuracy", "drawn") and args.arch else {}
        if name == "learner" and args.modes:
            options = {"modes": args.modes}
        section = module.run(quick=args.quick, **options)
        section.update(machine=machine(), quick=args.quick)
        save_section(name, section)
        print(section["markdown"], flush=True)
    print(f"Wrote {QUICK_MD if args.quick else RESULTS_MD}")
    if not args.quick and (changed := write_readme()):
        print("Updated the result tables of " + ", ".join(p.name for p in changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
