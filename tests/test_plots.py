"""The lab's matplotlib figures render to PNG without pyplot and show what they claim."""

from __future__ import annotations

import numpy as np

from handwriting import plots
from handwriting.honest import metrics as evaluation


def _texts(fig) -> list[str]:
    found = [t.get_text() for ax in fig.axes for t in (ax.title, *ax.texts)]
    return found + ([fig._suptitle.get_text()] if fig._suptitle else [])


def test_every_figure_renders_png(mnist_small):
    (x_train, y_train), (x_test, y_test) = mnist_small
    figures = [
        plots.confusion_figure(evaluation.confusion_matrix(y_test, y_test)),
        plots.samples_figure(x_train, y_train, n=16),
        plots.label_counts_figure(y_train, y_test),
    ]
    for fig in figures:
        assert plots.figure_to_png(fig).startswith(b"\x89PNG")
    assert _texts(figures[1])[:3] == [str(label) for label in y_train[:3]]


def test_mistakes_gallery_titles_say_predicted_and_true(mnist_small):
    _, (x_test, y_test) = mnist_small
    probabilities = np.eye(10)[(y_test + 1) % 10] * 0.9 + 0.01  # every digit wrong, 91 % sure
    mistakes = evaluation.misclassified(probabilities, y_test)
    fig = plots.mistakes_figure(mistakes, x_test, limit=6)
    titles = [t for t in _texts(fig) if t.startswith("pred")]
    assert len(titles) == 6
    assert titles[0] == f"pred {mistakes.predicted[0]} / true {mistakes.true[0]}\n91% sure"
    assert plots.figure_to_png(fig).startswith(b"\x89PNG")

    none = evaluation.misclassified(np.eye(10)[y_test], y_test)
    assert "No misclassified" in _texts(plots.mistakes_figure(none, x_test))[-1]
