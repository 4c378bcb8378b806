"""What every benchmark section shares: the machine description, timing, result files."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import statistics
import time
from pathlib import Path

from handwriting import files

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_JSON = BENCH_DIR / "results.json"  # the real (full) run, shown in the README
RESULTS_MD = BENCH_DIR / "results.md"
QUICK_JSON = BENCH_DIR / "results-quick.json"  # --quick runs go here (git-ignored)
QUICK_MD = BENCH_DIR / "results-quick.md"
MODELS_DIR = ROOT / "runs" / "bench"
QUICK_TRAIN_SIZE = 5000  # training images of the accuracy section's --quick models
FALLBACK_TRAIN_SIZE = 10_000  # ... of the one-epoch model bench_model trains when one is missing

#: The original tutorial's table, for comparison.
TUTORIAL_ACCURACY = {"dnn": 0.9798, "cnn1": 0.9834, "cnn2": 0.9939}


QUICK_NOTE = ", QUICK mode (small data, not the real figures)"


#: /proc/cpuinfo flags that decide how fast TensorFlow's CPU kernels run here (oneDNN picks its
#: code by them), widest first. The same fine-tuning took almost twice as long on a 2-core "AMD
#: EPYC" without AVX-512 as on one with it (2026-12-07): the CPU's name alone does not say which.
VECTOR_FLAGS = (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX"))


def cpu_features(flags) -> str:
    """The widest vector extension among /proc/cpuinfo ``flags``, and bfloat16 when the CPU has
    it in hardware (:data:`handwriting.models.precision.BFLOAT16_FLAGS`): "AVX-512, bfloat16"."""
    from handwriting.models.precision import BFLOAT16_FLAGS

    flags = set(flags)
    widest = next((name for flag, name in VECTOR_FLAGS if flag in flags), "no AVX")
    return widest + (", bfloat16" if flags & set(BFLOAT16_FLAGS) else "")


def machine() -> dict:
    """Date, CPU (name and vector extensions), cores, GPU and library versions: printed with every
    result."""
    import keras
    import numpy
    import tensorflow as tf

    from handwriting.models.precision import cpu_field

    cpu = cpu_field("model name") or platform.processor() or platform.machine()
    flags = cpu_field("flags")
    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    return {
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cpu_features": cpu_features(flags.split()) if flags is not None else "unknown",
        "cores": os.cpu_count(),
        "gpu": ", ".join(gpus) or "none",
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
        # Other work on the machine slows every timing (the same epoch took 38 s one day and
        # 130 s another): the load average over the last 1, 5 and 15 minutes says how busy it was.
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }


def timed(fn, *args, **kwargs):
    """(result, seconds) of one call."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def percentile(values, q: float) -> float:
    """q-th percentile (0-100) by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values) -> float:
    return statistics.median(values)


def markdown_table(headers, rows) -> str:
    """A GitHub markdown table; a ``|`` inside a cell (``max |Δp|``) is escaped, so it stays in
    its cell."""

    def line(cells) -> str:
        return "| " + " | ".join(str(cell).replace("|", r"\|") for cell in cells) + " |"

    return "\n".join([line(headers), "|" + "---|" * len(headers), *map(line, rows)])


def load_results(quick: bool = False) -> dict:
    path = QUICK_JSON if quick else RESULTS_JSON
    if path.exists():
        return json.loads(path.read_text())
    return {"sections": {}}


def rows_of(section: dict) -> list[dict]:
    """A section's result rows: its data list, the reports in its data's "models" (one per
    model: the drawn section), or its one data dict."""
    data = section.get("data")
    if isinstance(data, dict) and isinstance(data.get("models"), dict):
        return list(data["models"].values())
    return data if isinstance(data, list) else [data] if isinstance(data, dict) else []


def save_section(name: str, section: dict) -> None:
    """Merge one section ({"title", "markdown", "data", "machine", "quick"}) into the result files
    (quick runs into results-quick.*, so they never overwrite the real figures).

    Every row keeps its own ``measured`` record (date, machine, versions): a row carried over
    from an earlier run (e.g. ``--arch``) keeps the one it was measured with."""
    quick = bool(section.get("quick"))
    for row in rows_of(section):
        row.setdefault("measured", section["machine"])
    results = load_results(quick)
    results["sections"][name] = section
    save_results(results, quick)


def save_results(results: dict, quick: bool = False) -> None:
    """Write results.json (atomically) and results.md (or their quick twins)."""
    json_path, md_path = (QUICK_JSON, QUICK_MD) if quick else (RESULTS_JSON, RESULTS_MD)
    files.write_json(json_path, results, default=float)
    files.write_text(md_path, render_markdown(results))


SECTION_ORDER = (
    "accuracy",
    "best_accuracy",
    "overhead",
    "time_to_99",
    "pad_latency",
    "tfjs",
    "robustness",
    "drawn",
    "verdict_rule",
    "numbers",
    "inspection",
    "learner",
    "finetune",
)


def render_markdown(results: dict) -> str:
    parts = [
        "# Benchmark results",
        "",
        "Written by `python -m bench`; each section notes when and where it ran.",
        "",
    ]
    names = sorted(
        results["sections"], key=lambda n: SECTION_ORDER.index(n) if n in SECTION_ORDER else 99
    )
    for name in names:
        section = results["sections"][name]
        parts += [f"## {section['title']}", "", stamp(section), "", section["markdown"], ""]
    if results.get("explorations"):
        parts += ["## Explorations: measured once, not a benchmark section", ""]
        parts += [exploration_markdown(entry) + "\n" for entry in results["explorations"]]
    return "\n".join(parts)


def exploration_markdown(entry: dict) -> str:
    """One entry of results.json's ``explorations``: a figure measured once while exploring
    (a recipe, a score, a check not shipped), with its date and the command that made it (or
    "not recorded: ..."), rendered as a dated line, what was measured, and its table."""
    return (
        f"**{entry['title']}**\n\n_Exploration `{entry['id']}` in bench/results.json, "
        f"measured {entry['date']}; command: {entry['command']}_\n\n{entry['what']}\n\n"
        + markdown_table(entry["columns"], entry["rows"])
    )


def stamp(section: dict) -> str:
    """When and where a section's rows were measured, in one italic line."""
    measured = [row.get("measured", section["machine"]) for row in rows_of(section)] or [
        section["machine"]
    ]
    dates = sorted({m["date"] for m in measured})
    m = section["machine"]
    when = (
        dates[0]
        if len(dates) == 1
        else f"rows measured {dates[0]} to {dates[-1]} (each row's date in bench/results.json)"
    )
    loads = [x["load_average"][2] for x in measured if "load_average" in x]
    load = f", load average {min(loads):.1f}–{max(loads):.1f} (15 min)" if loads else ""
    features = f" ({m['cpu_features']})" if "cpu_features" in m else ""
    return (
        f"_{when}, {m['cpu']}{features}, {m['cores']} cores{load}, GPU: {m['gpu']}, "
        f"TF {m['tensorflow']}, Keras {m['keras']}{QUICK_NOTE if section.get('quick') else ''}_"
    )


def bench_model(name: str, quick: bool = False):
    """The model the accuracy section saved for ``name``; trained briefly if it is missing."""
    from handwriting.data import load_mnist
    from handwriting.models.digit_model import load_model
    from handwriting.training import TrainingConfig, TrainingRun, save_model

    path = model_path(name, quick)
    if path.exists():
        return load_model(path)
    print(
        f"  (no {path}: training {name} for one epoch on {FALLBACK_TRAIN_SIZE:,} digits)",
        flush=True,
    )
    data = load_mnist(train_size=FALLBACK_TRAIN_SIZE, test_size=1000, quick=False)
    training = TrainingRun(TrainingConfig.for_architecture(name, epochs=1, seed=0), data=data)
    if training.fit() is None:
        raise KeyboardInterrupt(f"stopped before the first epoch ended: {path} not written")
    save_model(training.model, path)
    return training.model


def model_path(name: str, quick: bool, seed: int = 0):
    """Where the bench keeps its model of ``name`` trained with ``seed`` (the accuracy section's
    is seed 0), beside its record (``.run.json``) when :func:`trained` made it."""
    return MODELS_DIR / f"{name}{f'-seed{seed}' if seed else ''}{'-quick' if quick else ''}.keras"


def _changed_settings(settings: dict) -> dict:
    """A training configuration's settings without those at their defaults, so that a setting
    added to ``TrainingConfig`` later (at its default) leaves older records comparable."""
    import dataclasses

    from handwriting.training import TrainingConfig

    defaults = {f.name: f.default for f in dataclasses.fields(TrainingConfig)}
    return {
        name: value
        for name, value in settings.items()
        if name not in defaults or value != defaults[name]
    }


def recipe_of(config, train_size: int) -> dict:
    """Everything that decides what a run learns, JSON-shaped: its training configuration (the
    settings changed from their defaults), its architecture's recipe (functions by name) and the
    number of images it trains on."""
    import dataclasses

    from handwriting.models import architectures

    recipe = architectures.get(config.architecture).recipe
    fields = {f.name: getattr(recipe, f.name) for f in dataclasses.fields(recipe)}
    return json.loads(
        json.dumps(
            {
                "config": _changed_settings(dataclasses.asdict(config)),
                "train_size": train_size,
                "recipe": {key: getattr(value, "__name__", value) for key, value in fields.items()},
            }
        )
    )


def _same_recipe(stored: dict | None, recipe: dict) -> bool:
    """Whether a record's stored recipe (older records list every setting) is ``recipe``."""
    return (
        stored is not None and {**stored, "config": _changed_settings(stored["config"])} == recipe
    )


def trained(config, data, quick: bool = False) -> tuple[dict, object]:
    """(row, model) of a run of ``config`` (seeded), kept at :func:`model_path`. A full-data run
    is re-used when its record (``.run.json``) shows the very same recipe, run to its end (delete
    the record to train it again); a quick run is always trained afresh."""
    from handwriting.models.digit_model import load_model
    from handwriting.training import TrainingRun, save_model

    path = model_path(config.architecture, quick=quick, seed=config.seed)
    record_path = path.with_suffix(".run.json")
    recipe = recipe_of(config, config.train_size(len(data[0][0])))
    if not quick and path.exists() and record_path.exists():
        row = json.loads(record_path.read_text())
        if _same_recipe(row.pop("recipe", None), recipe) and not row.get("stopped"):
            print(
                f"  {config.architecture} seed {config.seed}: re-used {path.name}, trained "
                f"{row['measured']['date']} (test {row['test_accuracy']:.2%})",
                flush=True,
            )
            return row, load_model(path)
    run = TrainingRun(config, data=data)
    record = run.fit()
    if record is None:
        raise KeyboardInterrupt(f"stopped before the first epoch ended: {path} not written")
    save_model(run.model, path)
    row = {**record.as_row(), "seed": config.seed, "measured": machine()}
    if not quick:
        files.write_json(record_path, {**row, "recipe": recipe}, indent=1)
    return row, run.model


def bench_validation(name: str, quick: bool = False):
    """(x_val, y_val): the training images :func:`bench_model`'s model for ``name`` held out
    (the default validation split of the images it was trained on), e.g. for calibration."""
    from handwriting.data import load_mnist, split_validation

    if model_path(name, quick).exists():
        size = QUICK_TRAIN_SIZE if quick else None  # the accuracy section's data
    else:
        size = FALLBACK_TRAIN_SIZE
    (x_train, y_train), _ = load_mnist(train_size=size, test_size=1, quick=False)
    return split_validation(x_train, y_train)[1]
