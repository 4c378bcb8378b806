"""The command line: train, evaluate, and usage errors without tracebacks."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rates

import handwriting
from handwriting.__main__ import main
from handwriting.models.digit_model import PRETRAINED_WEIGHTS, load_model


def test_train_then_evaluate(tmp_path, capsys):
    out = tmp_path / "tiny"
    assert main(["train", "--arch", "tiny", "--epochs", "1", "--quick", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    summary = [line for line in printed.splitlines() if line.startswith("tiny")]
    assert summary and "val" in summary[0] and "test" in summary[0] and "params" in summary[0]
    assert (out / "model.keras").is_file() and (out / "run.json").is_file()
    assert "Calibration: temperature" in printed and (out / "model.calibration.json").is_file()
    assert main(["evaluate", "--model", str(out / "model.keras"), "--quick"]) == 0
    printed = capsys.readouterr().out
    assert (
        "test accuracy" in printed
        and '"not sure" for' in printed
        and '"not a digit" for' in printed
    )
    weights = Path(handwriting.__file__).parent / PRETRAINED_WEIGHTS
    shipped = weights.read_bytes()
    assert main(["pretrained", "--run", str(out)]) == 2  # a 1-epoch run does not replace it
    # refused on validation: a quick run holds out 500 digits, not the 5,000 it is compared on
    refusal = capsys.readouterr().err
    assert "cannot be compared with the pretrained model on the validation digits" in refusal
    assert "add --replace to ship it anyway" in refusal
    assert weights.read_bytes() == shipped


#: The drawn-digit targets (bench drawn's text, issue 31): share of MNIST test digits flagged
#: (not answered as a digit) at most, non-digits flagged and drawn digits read right at least;
#: real writers' pen digits answered right at least (issue 31, on writers nothing here has seen:
#: the held-out part shares writers with the training part, so it should read higher).
MNIST_FLAGGED, NON_DIGITS_FLAGGED, DRAWN_RIGHT, PEN_ANSWERED_RIGHT = 0.02, 0.90, 0.97, 0.88


@pytest.fixture(scope="module")
def drawn_evaluation() -> str:
    """What ``evaluate --model pretrained --drawn --quick`` prints (run once for the tests)."""
    import contextlib
    import io

    from handwriting.drawn import BENCHMARK_SIZES

    # Only reported, never a test's threshold: the Quick, Draw! evaluation half (frozen
    # 2026-12-06) is left out here, so no test scores a model on it (tests/test_drawn_digits.py
    # shows how a report carries it, with stand-in drawings).
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setitem(BENCHMARK_SIZES, "quick", (*BENCHMARK_SIZES["quick"][:5], 0))
        assert main(["evaluate", "--model", "pretrained", "--drawn", "--quick"]) == 0
    return printed.getvalue()


def _percent(printed: str, label: str) -> float:
    """The rate printed after ``label``, as a share."""
    return float(re.search(re.escape(label) + r" ([\d.]+)%", printed).group(1)) / 100


def _quick_sizes() -> dict:
    """How many drawings (digits) each quick-mode rate is measured on."""
    from handwriting.data import QUICK_TEST_SIZE
    from handwriting.drawn.benchmark_sets import BENCHMARK_SIZES
    from handwriting.drawn.templates import HELD_OUT_STYLES

    strokes, per_style, non_digits, _, real_writers, _ = BENCHMARK_SIZES["quick"]
    return {
        "mnist_test": QUICK_TEST_SIZE,
        "strokes": strokes,
        "held_out_styles": per_style * len(HELD_OUT_STYLES),
        "non_digits": non_digits,
        "real_writers": real_writers,
    }


def test_evaluate_drawn_reads_the_drawn_benchmark_as_the_pad_does(drawn_evaluation):
    """Every rate is checked against a bound set from its target and sample size before
    looking (tests/rates.py: 99.9 % one-sided binomial), not against a figure seen in a run."""
    from handwriting.honest.calibration import for_model

    printed, n = drawn_evaluation, _quick_sizes()

    def percent(label):
        return _percent(printed, label)

    assert f"of {n['strokes']} MNIST test digits redrawn as strokes" in printed
    # the real writers' pen digits lead the drawn-digit lines (the first 300 held out in quick
    # mode); every set's role closes them
    drawn_lines = printed.split("Drawn-digit benchmark", 1)[1].splitlines()[1:]
    assert drawn_lines[0].startswith("real writers' pen digits read right:")
    assert f"of {n['real_writers']} (development;" in drawn_lines[0]
    assert drawn_lines[-1].startswith("set roles: training (")
    assert percent("drawn digits read right:") >= rates.at_least(DRAWN_RIGHT, n["strokes"])
    assert percent("(held-out styles") >= rates.at_least(DRAWN_RIGHT, n["held_out_styles"])
    assert percent("non-digits flagged:") >= rates.at_least(NON_DIGITS_FLAGGED, n["non_digits"])
    # "flagged": not answered as a digit: "not sure" (an unusual digit, since the rule of
    # web/CALIBRATION.md changed), "not a digit" or refused
    assert percent("MNIST test digits flagged:") <= rates.at_most(MNIST_FLAGGED, n["mnist_test"])
    doodles = int(re.search(r"doodles [\d.]+% of (\d+)\)", printed).group(1))
    assert doodles == 164 and "evaluation half" not in printed  # the development half only
    assert percent("real people's Quick, Draw! doodles") >= rates.at_least(
        NON_DIGITS_FLAGGED, doodles
    )
    temperature = for_model("pretrained").temperature
    assert (
        re.search(r"confidence: [\d.]+% of \d+", printed)
        and f"at temperature {temperature:.2f}" in printed
    )


def test_evaluate_drawn_real_writers_meet_their_target(drawn_evaluation):
    answered = _percent(drawn_evaluation, "the pad answers right")
    assert answered >= rates.at_least(PEN_ANSWERED_RIGHT, _quick_sizes()["real_writers"])


@pytest.mark.xfail(
    strict=True,
    reason="the pretrained model flags 78.8 % of the held-out non-digit kinds in quick mode "
    "(2026-12-06), below the >= 90 % target's bound (79.8 %)",
)
def test_evaluate_drawn_held_out_non_digit_kinds_meet_their_target(drawn_evaluation):
    flagged = _percent(drawn_evaluation, "(held-out kinds")
    assert flagged >= rates.at_least(NON_DIGITS_FLAGGED, _quick_sizes()["non_digits"])


def test_train_can_start_from_a_saved_model(tmp_path, capsys):
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["train", "--arch", "tiny", "--epochs", "1", "--quick", "--out", str(first)]) == 0
    assert (
        main(
            [
                "train",
                "--arch",
                "tiny",
                "--epochs",
                "1",
                "--quick",
                "--out",
                str(second),
                "--init",
                str(first / "model.keras"),
            ]
        )
        == 0
    )
    assert f"Starting from the weights of {first / 'model.keras'}" in capsys.readouterr().out
    assert json.loads((second / "run.json").read_text())["initial_model"] == str(
        first / "model.keras"
    )
    assert (
        main(
            [
                "train",
                "--arch",
                "dnn",
                "--epochs",
                "1",
                "--quick",
                "--out",
                str(tmp_path / "dnn"),
                "--init",
                str(first / "model.keras"),
            ]
        )
        == 2
    )
    assert "has other layers than dnn" in capsys.readouterr().err
    assert (
        main(["train", "--arch", "tiny", "--members", "2", "--init", str(first / "model.keras")])
        == 2
    )
    assert "--init starts one model" in capsys.readouterr().err


def test_train_with_real_writers_pen_digits(tmp_path, capsys, monkeypatch):
    """--pendigits-share adds pen digits to a drawcnn run, and run.json records every option."""
    from handwriting.drawn import pendigits

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    helped = capsys.readouterr().out
    assert "--pendigits-share SHARE" in helped and "--teacher MODEL.keras" in helped
    assert "--teacher-weight W" in helped and "--teacher-temperature T" in helped
    assert main(["train", "--arch", "tiny", "--pendigits-share", "0.3", "--quick"]) == 2
    assert "pendigits_share needs a recipe trained on drawings" in capsys.readouterr().err

    load = pendigits.load
    monkeypatch.setattr(pendigits, "load", lambda part: [a[:40] for a in load(part)])  # quick
    monkeypatch.setenv("HANDWRITING_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "realcnn"
    train = ["train", "--arch", "drawcnn", "--epochs", "1", "--quick", "--fraction", "0.1"]
    assert main([*train, "--lr", "3e-4", "--pendigits-share", "0.3", "--out", str(out)]) == 0
    config = json.loads((out / "run.json").read_text())["config"]
    assert config["pendigits_share"] == 0.3 and config["learning_rate"] == 3e-4
    assert config["architecture"] == "drawcnn" and config["data_fraction"] == 0.1

    taught = tmp_path / "taught"
    teaching = ["--teacher", str(out / "model.keras"), "--teacher-temperature", "2"]
    assert main([*train, *teaching, "--teacher-weight", "0.75", "--out", str(taught)]) == 0
    config = json.loads((taught / "run.json").read_text())["config"]
    assert config["teacher"] == str(out / "model.keras")
    assert (config["teacher_weight"], config["teacher_temperature"]) == (0.75, 2.0)
    assert main([*train, "--teacher-temperature", "2", "--out", str(taught)]) == 2
    assert "teacher_temperature needs a teacher" in capsys.readouterr().err
    assert main([*train, "--teacher", str(tmp_path / "none.keras"), "--out", str(taught)]) == 2
    assert "teacher" in capsys.readouterr().err


def test_train_an_ensemble_keeps_each_member_and_saves_their_shift_averaged_average(
    tmp_path, capsys
):
    out = tmp_path / "tiny-dnn"
    assert (
        main(
            [
                "train",
                "--members",
                "tiny,dnn",
                "--tta",
                "--epochs",
                "1",
                "--seed",
                "1",
                "--quick",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert (
        "Member 2 of 2: dnn (seed 3)" in printed and "Ensemble of tiny + dnn + TTA: test" in printed
    )
    assert all((out / f"member{k}" / "model.keras").is_file() for k in (0, 1))
    assert json.loads((out / "member1" / "run.json").read_text())["record"]["architecture"] == "dnn"
    assert (out / "model.calibration.json").is_file()
    record = json.loads((out / "run.json").read_text())["ensemble"]
    assert record["members"] == ["tiny", "dnn"] and record["seeds"] == [2, 3] and record["tta"]
    assert (
        0 < record["without_tta"]["test_accuracy"] <= 1
        and record["without_tta"]["val_accuracy"] > 0
    )
    assert load_model(out / "model.keras").name == "tiny_dnn_tta"
    assert len(record["member_test_accuracy"]) == 2
    assert main(["evaluate", "--model", str(out / "model.keras"), "--quick"]) == 0
    assert f"test accuracy {record['test_accuracy']:.2%}" in capsys.readouterr().out
    assert main(["pretrained", "--run", str(out)]) == 2  # one network only
    assert "holds an ensemble" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--epochs", "0"], "epochs must be a whole number"),
        (["train", "--lr", "nan"], "learning_rate"),
        (["train", "--validation", "-5"], "validation_size must be a whole number >= 0"),
        (["evaluate", "--model", "missing.keras"], "No model file"),
        (["train", "--members", "0"], "--members must be 1 or more"),
        (["train", "--members", "bncnn,cnn3"], "unknown architecture 'cnn3'"),
        (["train", "--arch", "tiny", "--members", "tiny,dnn"], "not both"),
        (["train", "--arch", "tiny", "--tta"], "--tta averages an ensemble's readings"),
    ],
)
def test_bad_values_are_one_line_errors(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_an_out_folder_that_cannot_be_made_is_refused_before_any_training(
    personal_drawings, tmp_path, capsys
):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where the runs folder should be")
    for argv in (
        ["train", "--arch", "tiny", "--out", f"{blocker}/tiny"],
        [
            "finetune",
            "--model",
            "pretrained",
            "--drawings",
            str(personal_drawings),
            "--out",
            f"{blocker}/mine.keras",
        ],
    ):
        assert main([*argv, "--quick", "--epochs", "1"]) == 2
        printed = capsys.readouterr()
        assert f"Cannot save in {blocker}" in printed.err and "a file, not a folder" in printed.err
        assert "epoch" not in printed.out, "refused before training, not after"
    assert blocker.read_text().startswith("a file")


def test_unknown_arguments_give_usage_not_a_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "handwriting", "train", "--arch", "nope"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_export_writes_the_app_and_a_zip(tiny_model, tmp_path, capsys):
    import json

    from handwriting.honest.calibration import load

    tiny_model.save(tmp_path / "tiny.keras")
    assert main(["calibrate", "--model", str(tmp_path / "tiny.keras"), "--quick"]) == 0
    assert "Calibration: temperature" in capsys.readouterr().out
    out = tmp_path / "web"
    assert (
        main(
            [
                "export",
                "--model",
                str(tmp_path / "tiny.keras"),
                "--out",
                str(out),
                "--quantize",
                "uint8",
                "--zip",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert (out / "model" / "model.json").is_file() and (tmp_path / "web.zip").is_file()
    assert "Wrote" in printed and "Zip:" in printed
    manifest = json.loads((out / "export.json").read_text())
    assert manifest["calibration"] == load(tmp_path / "tiny.keras").as_dict()
    assert main(["export", "--model", str(tmp_path / "tiny.keras"), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_finetune_from_a_folder_prints_skipped_files_and_before_after(
    tiny_model, personal_drawings, tmp_path, capsys
):
    import shutil

    from handwriting.honest.calibration import load
    from handwriting.models.digit_model import load_model

    base, drawings, out = tmp_path / "base.keras", tmp_path / "drawings", tmp_path / "mine.keras"
    tiny_model.save(base)
    shutil.copytree(personal_drawings, drawings)
    (drawings / "3" / "broken.png").write_bytes(b"not a png")
    assert (
        main(
            [
                "finetune",
                "--model",
                str(base),
                "--drawings",
                str(drawings),
                "--out",
                str(out),
                "--epochs",
                "1",
                "--quick",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert f"skipped {drawings / '3' / 'broken.png'}: not a readable PNG" in printed
    assert "120 drawings in" in printed
    assert [line for line in printed.splitlines() if line.startswith("tiny+you   1 ep")]
    assert "your held-out drawings" in printed and "MNIST test" in printed
    assert "refitted on 200 held-out MNIST training digits" in printed and f"Saved {out}" in printed
    load_model(out)
    assert load(out).temperature > 0 and (tmp_path / "mine.calibration.json").is_file()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--model", "pretrained", "--drawings", "{tmp}/nowhere"], "No drawings folder at"),
        (["--model", "pretrained", "--drawings", "{tmp}"], "No usable drawings in"),
        (["--model", "{tmp}/missing.keras", "--drawings", "{tmp}"], "No model file"),
        (
            ["--model", "pretrained", "--drawings", "{drawings}", "--epochs", "0"],
            "epochs must be a whole number",
        ),
        (
            ["--model", "pretrained", "--drawings", "{drawings}", "--held-out", "1"],
            "held_out must be a share",
        ),
        (
            ["--model", "pretrained", "--drawings", "{drawings}", "--out", "{tmp}/mine.h5"],
            "must name a .keras file",
        ),
    ],
)
def test_finetune_errors_are_one_line(argv, message, personal_drawings, tmp_path, capsys):
    argv = [a.format(tmp=tmp_path, drawings=personal_drawings) for a in argv]
    argv += [] if "--out" in argv else ["--out", str(tmp_path / "out.keras")]
    assert main(["finetune", *argv, "--quick"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".keras", ".h5")]


def test_the_fastest_recipe_reaches_99_percent_from_the_cli(tmp_path, capsys, monkeypatch):
    """The README's time-to-99 % recipe, on all of MNIST as the bench trains it (about 10 s)."""
    monkeypatch.setenv("HANDWRITING_QUICK", "0")
    out = tmp_path / "fast"
    assert main(["train", "--arch", "fast", "--seed", "0", "--out", str(out)]) == 0
    summary = next(
        line for line in capsys.readouterr().out.splitlines() if line.startswith("fast ")
    )
    test_accuracy = float(summary.split("test")[1].split("%")[0]) / 100
    assert test_accuracy >= 0.99, summary


# ------------------------------------------------------------------ no lost work (issue 29)


def _interrupt_at_first_batch(argv: list[str], cwd: Path, timeout: float = 240) -> tuple[int, str]:
    """Run ``python -m handwriting ARGV`` on a terminal (a pty, so that it prints its batch
    counter), press Ctrl+C (a real SIGINT) as soon as the first batch is shown, and return its
    exit code and everything it printed."""
    import os
    import pty
    import select
    import signal
    import time

    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "handwriting", *argv],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=child_fd,
        stderr=child_fd,
    )
    os.close(child_fd)
    printed, interrupted = b"", False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if select.select([main_fd], [], [], 0.5)[0]:
                try:
                    chunk = os.read(main_fd, 65536)
                except OSError:  # EIO: the process has closed the terminal
                    chunk = b""
                if not chunk:
                    break
                printed += chunk
            if not interrupted and b"  batch " in printed:
                process.send_signal(signal.SIGINT)
                interrupted = True
            if process.poll() is not None and not select.select([main_fd], [], [], 0.1)[0]:
                break
        assert interrupted, (
            f"no batch was shown in {timeout} s:\n{printed.decode(errors='replace')}"
        )
        return process.wait(timeout=60), printed.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main_fd)


def _folder(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def test_ctrl_c_at_the_first_batch_saves_nothing_and_keeps_the_earlier_model(tmp_path):
    """Stopped before any epoch ended: no record, no model, no calibration, over an earlier run
    or into an empty folder; the command says so and exits 130."""
    earlier, empty = tmp_path / "earlier", tmp_path / "empty"
    earlier.mkdir()
    for name, text in (
        ("model.keras", "the model a person trained"),
        ("run.json", '{"record": 1}'),
        ("model.calibration.json", '{"temperature": 1.5}'),
    ):
        (earlier / name).write_text(text)
    before = _folder(earlier)
    # Batches of 2: an epoch of 900 batches lasts seconds, so Ctrl+C lands well inside it.
    train = ["train", "--arch", "tiny", "--epochs", "1", "--batch-size", "2", "--quick"]
    code, printed = _interrupt_at_first_batch([*train, "--out", str(earlier)], tmp_path)
    assert code == 130, printed
    assert (
        "Stopped before the first epoch ended: nothing to save" in printed
        and "Saved" not in printed
    )
    assert "Traceback" not in printed
    assert _folder(earlier) == before
    code, printed = _interrupt_at_first_batch([*train, "--out", str(empty)], tmp_path)
    assert code == 130 and "nothing to save" in printed, printed
    assert list(empty.iterdir()) == []


def test_a_stopped_run_saves_its_best_epoch_beside_an_earlier_model_never_over_it(
    tmp_path, capsys, monkeypatch
):
    from handwriting.cli import ConsoleProgress
    from handwriting.honest.calibration import for_model

    out = tmp_path / "tiny"
    train = ["train", "--arch", "tiny", "--epochs", "2", "--quick", "--out", str(out)]
    assert main(train) == 0  # the earlier model
    before = _folder(out)

    def ctrl_c_in_the_second_epoch(self, run, epoch, batch, logs):
        if epoch == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(ConsoleProgress, "on_batch_end", ctrl_c_in_the_second_epoch)
    capsys.readouterr()
    for tag in ("stopped", "stopped-2"):  # a second stop does not replace the first
        assert main(train) == 130
        printed = capsys.readouterr().out
        assert f"Saved {out / f'model.{tag}.keras'}" in printed
        assert f"{out / 'model.keras'}, an earlier model, is kept as it was" in printed
        after = _folder(out)
        assert all(
            after[name] == data for name, data in before.items() if name != "checkpoint.keras"
        )
        assert json.loads((out / f"run.{tag}.json").read_text())["record"]["epochs"] == 1
        assert json.loads((out / f"run.{tag}.json").read_text())["record"]["stopped"]
        assert for_model(out / f"model.{tag}.keras").temperature > 0  # its own calibration
    for_model(out / "model.keras")  # still the earlier model's own


def test_outputs_that_are_inputs_through_a_link_are_refused_before_any_training(
    tiny_model, personal_drawings, tmp_path, capsys, monkeypatch
):
    from handwriting.honest.calibration import Calibration
    from handwriting.models import digit_model as models
    from handwriting.training import save_model

    runs = tmp_path / "runs"
    base = runs / "base.keras"
    save_model(tiny_model, base)
    Calibration(temperature=1.5).save(base)
    save_model(tiny_model, runs / "model.keras")
    (tmp_path / "alias").symlink_to(runs)  # the same folder under another name
    (tmp_path / "mine.keras").symlink_to(base)  # the same file under another name
    before = _folder(runs)
    finetune = [
        "finetune",
        "--model",
        str(base),
        "--drawings",
        str(personal_drawings),
        "--epochs",
        "1",
        "--quick",
        "--out",
    ]
    for out in (tmp_path / "alias" / "base.keras", tmp_path / "mine.keras", base):
        assert main([*finetune, str(out)]) == 2
        printed = capsys.readouterr()
        assert f"{out} is --model {base}" in printed.err and "choose another --out" in printed.err
        assert ("through a link" in printed.err) == (out != base)
        assert "epoch" not in printed.out and "Traceback" not in printed.err
    assert (
        main(
            [
                "train",
                "--arch",
                "tiny",
                "--epochs",
                "1",
                "--quick",
                "--init",
                str(runs / "model.keras"),
                "--out",
                str(tmp_path / "alias"),
            ]
        )
        == 2
    )  # train on from a model, into its folder
    printed = capsys.readouterr()
    assert f"is --init {runs / 'model.keras'} (the same file, through a link)" in printed.err
    assert "epoch" not in printed.out
    assert _folder(runs) == before

    shipped = models.pretrained_record()  # pretrained --run shipping its own record
    package = tmp_path / "package"
    (package / "pretrained").mkdir(parents=True)
    monkeypatch.setattr(models, "_package_file", lambda name: package / name)
    (package / models.PRETRAINED_RECORD).write_text(json.dumps(shipped))
    run = tmp_path / "run"
    save_model(tiny_model, run / "model.keras")
    Calibration().save(run / "model.keras")
    (run / "run.json").symlink_to(package / models.PRETRAINED_RECORD)
    assert main(["pretrained", "--run", str(run)]) == 2
    assert "is --run's record" in capsys.readouterr().err
    assert not (package / models.PRETRAINED_WEIGHTS).exists()


def test_finetune_out_that_is_a_folder_is_refused_before_training(
    personal_drawings, tmp_path, capsys
):
    folder = tmp_path / "mine.keras"
    folder.mkdir()
    assert (
        main(
            [
                "finetune",
                "--model",
                "pretrained",
                "--drawings",
                str(personal_drawings),
                "--out",
                str(folder),
                "--epochs",
                "1",
                "--quick",
            ]
        )
        == 2
    )
    printed = capsys.readouterr()
    assert f"Cannot save {folder}: it is a folder, not a file" in printed.err
    assert "epoch" not in printed.out and "Traceback" not in printed.err
    assert folder.is_dir() and not list(folder.iterdir())


def test_a_finetune_stopped_with_ctrl_c_never_replaces_an_earlier_result(
    tiny_model, personal_drawings, tmp_path, capsys, monkeypatch
):
    from handwriting.cli import ConsoleProgress
    from handwriting.honest.calibration import for_model

    base, out = tmp_path / "base.keras", tmp_path / "mine.keras"
    tiny_model.save(base)
    out.write_bytes(b"yesterday's fine-tuned model")
    finetune = [
        "finetune",
        "--model",
        str(base),
        "--drawings",
        str(personal_drawings),
        "--out",
        str(out),
        "--epochs",
        "2",
        "--quick",
    ]
    for stop_in_epoch in (0, 1):

        def ctrl_c(self, run, epoch, batch, logs, stop_in_epoch=stop_in_epoch):
            if epoch == stop_in_epoch:
                raise KeyboardInterrupt

        monkeypatch.setattr(ConsoleProgress, "on_batch_end", ctrl_c)
        assert main(finetune) == 130
        printed = capsys.readouterr().out
        assert out.read_bytes() == b"yesterday's fine-tuned model"
        if stop_in_epoch == 0:
            assert f"nothing to save; {out} is as it was" in printed and "Saved" not in printed
            assert sorted(p.name for p in tmp_path.iterdir()) == ["base.keras", "mine.keras"]
        else:
            assert (
                f"Saved {tmp_path / 'mine.stopped.keras'}" in printed
                and "kept as it was" in printed
            )
            assert for_model(tmp_path / "mine.stopped.keras").temperature > 0
