"""Old module names that keep working for one release, with a DeprecationWarning.

The package was one flat folder; its modules now live in layered folders. A learner's
notebook that still says ``from handwriting.calibration import for_model`` gets the very module
``handwriting.honest.calibration`` (same object: what it changes, the lab sees) and a warning
naming the new place. Modules that were split in two are offered as one module with the public
names of both parts.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings

#: old name -> the module(s) that now hold its public names (the first: its main home)
MOVED = {
    "handwriting.architectures": ("handwriting.models.architectures",),
    "handwriting.ensemble": ("handwriting.models.ensemble",),
    "handwriting.precision": ("handwriting.models.precision",),
    "handwriting.finetune": ("handwriting.training.finetune",),
    "handwriting.curves": ("handwriting.training.curves",),
    "handwriting.drawn_training": (
        "handwriting.training.augmentation",
        "handwriting.models.losses",
    ),
    "handwriting.calibration": ("handwriting.honest.calibration",),
    "handwriting.evaluation": ("handwriting.honest.metrics", "handwriting.honest.drawn_benchmark"),
    "handwriting.recognizer": ("handwriting.honest.recognizer",),
    "handwriting.heatmaps": ("handwriting.inspection.heatmaps",),
    "handwriting.drawn_digits": ("handwriting.drawn",),
    "handwriting.quickdraw": ("handwriting.drawn.quickdraw",),
    "handwriting.drawings": ("handwriting.drawn.collected",),
}


class _MovedLoader(importlib.abc.Loader):
    def __init__(self, old: str, homes: tuple[str, ...]):
        self.old, self.homes = old, homes
        self.home_spec = None

    def create_module(self, spec):
        modules = [importlib.import_module(home) for home in self.homes]
        if len(modules) == 1:
            # The import system sets the module's __spec__ to the old name's after this; the
            # home's own is put back in exec_module (importlib.resources and submodule imports
            # of the home read it).
            self.home_spec = modules[0].__spec__
            return modules[0]
        joined = types.ModuleType(spec.name, f"Moved to {' and '.join(self.homes)}.")
        for module in reversed(modules):
            joined.__dict__.update(
                {k: v for k, v in vars(module).items() if not k.startswith("__")}
            )
        return joined

    def exec_module(self, module):
        if self.home_spec is not None:
            module.__spec__ = self.home_spec
        warnings.warn(
            f"{self.old} moved to {' and '.join(self.homes)}; the old name goes in the "
            "next release.",
            DeprecationWarning,
            stacklevel=2,
        )


class MovedFinder(importlib.abc.MetaPathFinder):
    """Finds the old names in :data:`MOVED` (and nothing else)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, _MovedLoader(fullname, MOVED[fullname]))


def install() -> None:
    """Put the finder first on ``sys.meta_path``, once (it answers for the old names only)."""
    if not any(isinstance(finder, MovedFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, MovedFinder())
