"""How well a set of FSRS parameters predicts recall: log loss and RMSE(bins), as fsrs-rs defines them.

For every scored review (one at least a day after the card's previous review) FSRS predicts the
probability of recall from the card's earlier reviews; the truth is whether the answer was not Again.

fsrs-rs's `evaluate` weights each scored review by its recency, `0.25 + 0.75 * (i / (n - 1)) ** 3` for
the i-th of n in time order, and both metrics are weighted means:

- log loss: the weighted mean binary cross-entropy;
- RMSE(bins): reviews are binned by (days since the previous review, number of long-term reviews,
  number of long-term lapses), each on a logarithmic scale; per bin the squared difference between
  mean prediction and mean outcome is weighted by the bin's total weight.

`evaluate` returns these (they equal fsrs-rs's to float32 precision) and the unweighted ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from srs.optimizer.history import Dataset, Target

if TYPE_CHECKING:
    from srs.jsontypes import MetricsJson

EPSILON = 1e-7  # predictions are clipped away from 0 and 1 before taking logs


@dataclass(frozen=True, slots=True)
class Prediction:
    at: int
    p: float  # predicted probability of recall
    y: int  # 1 recalled (Hard, Good, Easy), 0 forgotten (Again)
    bin: tuple[int, int, int]


@dataclass(frozen=True)
class Metrics:
    log_loss: float
    rmse_bins: float
    reviews: int  # scored reviews
    log_loss_unweighted: float
    rmse_bins_unweighted: float

    def to_dict(self) -> MetricsJson:
        return {
            "log_loss": round(self.log_loss, 6),
            "rmse_bins": round(self.rmse_bins, 6),
            "reviews": self.reviews,
            "log_loss_unweighted": round(self.log_loss_unweighted, 6),
            "rmse_bins_unweighted": round(self.rmse_bins_unweighted, 6),
        }


def r_matrix_bin(ratings: list[int], deltas: list[int], index: int) -> tuple[int, int, int]:
    """fsrs-rs's `r_matrix_index` of the item ending at review `index`."""
    delta_t = deltas[index]
    delta_bin = round(2.48 * 3.62 ** math.floor(math.log(delta_t, 3.62)) * 100) if delta_t > 0 else 0
    length = sum(1 for d in deltas[: index + 1] if d > 0) + 1
    length_bin = round(1.99 * 1.89 ** math.floor(math.log(length, 1.89)))
    lapses = sum(1 for r, d in zip(ratings[:index], deltas[:index]) if r == 1 and d > 0)
    lapse_bin = round(1.65 * 1.73 ** math.floor(math.log(lapses, 1.73))) if lapses else 0
    return delta_bin, length_bin, lapse_bin


def predict(parameters, dataset: Dataset, targets: list[Target] | None = None) -> list[Prediction]:
    """The recall FSRS with `parameters` predicts for each target (default: all), in time order."""
    from fsrs_rs_python import FSRS

    targets = dataset.targets if targets is None else targets
    if not targets:
        return []
    parameters = list(parameters)
    cards = sorted({t.card for t in targets})
    states = dict(zip(cards, FSRS(parameters).historical_memory_state_batch(dataset.card_items(cards))))
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    bins = _bins(dataset)
    out = []
    for t in targets:
        # FSRS-6's power forgetting curve, R = (1 + factor * t / S) ** -w20 with R(S) = 0.9.
        stability = states[t.card][t.index - 1].stability
        p = (1 + factor * dataset.deltas[t.card][t.index] / stability) ** decay
        out.append(Prediction(t.at, p, int(dataset.ratings(t.card)[t.index] > 1), bins[t]))
    return out


def _bins(dataset: Dataset) -> dict[Target, tuple[int, int, int]]:
    """Every target's RMSE bin (r_matrix_bin's, with the counts kept running along each card's history): they
    depend on the log alone, so they are computed once per dataset."""
    cached = dataset.cache.get("bins")
    if cached is None:
        by_card: dict[int, list[Target]] = {}
        for t in dataset.targets:
            by_card.setdefault(t.card, []).append(t)
        cached = dataset.cache["bins"] = {}
        for card, targets in by_card.items():
            ratings, deltas = dataset.ratings(card), dataset.deltas[card]
            long_term = lapses = done = 0  # over reviews [0, done): days > 0, and those rated Again
            for t in sorted(targets, key=lambda t: t.index):
                while done < t.index:
                    if deltas[done] > 0:
                        long_term += 1
                        lapses += ratings[done] == 1
                    done += 1
                delta_t = deltas[t.index]
                length = long_term + (delta_t > 0) + 1
                delta_bin = round(2.48 * 3.62 ** math.floor(math.log(delta_t, 3.62)) * 100) if delta_t > 0 else 0
                length_bin = round(1.99 * 1.89 ** math.floor(math.log(length, 1.89)))
                lapse_bin = round(1.65 * 1.73 ** math.floor(math.log(lapses, 1.73))) if lapses else 0
                cached[t] = (delta_bin, length_bin, lapse_bin)
    return cached


def recency_weights(n: int) -> list[float]:
    span = max(n - 1, 1)
    return [0.25 + 0.75 * (i / span) ** 3 for i in range(n)]


def log_loss(predictions: list[Prediction], weights: list[float] | None = None) -> float:
    weights = weights or [1.0] * len(predictions)
    total = 0.0
    for w, pred in zip(weights, predictions):
        p = min(max(pred.p, EPSILON), 1 - EPSILON)
        total -= w * (math.log(p) if pred.y else math.log(1 - p))
    return total / sum(weights)


def rmse_bins(predictions: list[Prediction], weights: list[float] | None = None) -> float:
    weights = weights or [1.0] * len(predictions)
    bins: dict[tuple, list[float]] = {}
    for w, pred in zip(weights, predictions):
        b = bins.setdefault(pred.bin, [0.0, 0.0, 0, 0.0])
        b[0] += pred.p
        b[1] += pred.y
        b[2] += 1
        b[3] += w
    squared = sum((b[0] / b[2] - b[1] / b[2]) ** 2 * b[3] for b in bins.values())
    return math.sqrt(squared / sum(b[3] for b in bins.values()))


def score(predictions: list[Prediction]) -> Metrics | None:
    """Both metrics, recency-weighted as fsrs-rs does and plain; None when nothing was scored."""
    if not predictions:
        return None
    predictions = sorted(predictions, key=lambda p: p.at)
    weights = recency_weights(len(predictions))
    # One pass for the four figures: log_loss and rmse_bins above, weighted and not, summed alike.
    loss = loss_w = 0.0
    bins: dict[tuple, list[float]] = {}
    for w, pred in zip(weights, predictions):
        p = min(max(pred.p, EPSILON), 1 - EPSILON)
        term = math.log(p) if pred.y else math.log(1 - p)
        loss -= term
        loss_w -= w * term
        b = bins.get(pred.bin)
        if b is None:
            b = bins[pred.bin] = [0.0, 0.0, 0, 0.0]
        b[0] += pred.p
        b[1] += pred.y
        b[2] += 1
        b[3] += w
    n = len(predictions)
    squared = sum((b[0] / b[2] - b[1] / b[2]) ** 2 * b[3] for b in bins.values())
    squared_plain = sum((b[0] / b[2] - b[1] / b[2]) ** 2 * b[2] for b in bins.values())
    return Metrics(
        log_loss=loss_w / sum(weights),
        rmse_bins=math.sqrt(squared / sum(b[3] for b in bins.values())),
        reviews=n,
        log_loss_unweighted=loss / n,
        rmse_bins_unweighted=math.sqrt(squared_plain / n),
    )


def evaluate(parameters, dataset: Dataset, targets: list[Target] | None = None) -> Metrics | None:
    return score(predict(parameters, dataset, targets))
