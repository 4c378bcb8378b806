"""Bounds for the rates tests check, set from a target and a sample size before looking.

A rate measured on n examples scatters around the true rate. A bound typed after seeing one run
says little (and tempts one to loosen it after a failure); these come from the target and n alone:
if the true rate were exactly the target, the measured rate would fall outside the bound in at
most 0.1 % of runs (:data:`CONFIDENCE`, one-sided). A test that fails them is evidence that the
target is missed, not bad luck.
"""

from __future__ import annotations

from scipy.stats import betabinom, binom

CONFIDENCE = 0.999


def at_most(target: float, n: int, confidence: float = CONFIDENCE) -> float:
    """The largest share of ``n`` examples a rate whose truth is ``target`` reaches with
    probability ``confidence``: check ``measured <= at_most(target, n)`` for an "at most" target."""
    return float(binom.ppf(confidence, n, target)) / n


def at_least(target: float, n: int, confidence: float = CONFIDENCE) -> float:
    """The smallest share of ``n`` examples a rate whose truth is ``target`` stays at or above
    with probability ``confidence``: check ``measured >= at_least(target, n)`` for an "at least"
    target."""
    return float(binom.ppf(1 - confidence, n, target)) / n


def below_a_fitted_floor(
    share: float, fitted_on: int, n: int, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """(low, high): where the share of ``n`` NEW examples below a floor fitted on ``fitted_on``
    others of the same source (``calibration.fit_floor``: ``int(share * fitted_on)`` of them fall
    below it) lies, each side with probability ``confidence``.

    The binomial bound around ``share``, widened for the floor's own scatter: the true share below
    the (k+1)-th smallest of ``fitted_on`` examples is Beta(k + 1, fitted_on - k), so the count
    among ``n`` new ones is beta-binomial (exact for exchangeable examples, whatever their
    distribution).
    """
    k = int(share * fitted_on)
    counts = betabinom(n, k + 1, fitted_on - k)
    return float(counts.ppf(1 - confidence)) / n, float(counts.ppf(confidence)) / n
