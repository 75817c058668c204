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
    positions = _positions(dataset, targets)
    if not len(positions):
        return []
    table = _table(dataset)
    p = recall(parameters, dataset)[positions]
    return [
        Prediction(int(table.at[i]), float(q), int(table.y[i]), table.bin_names[table.bins[i]])
        for i, q in zip(positions, p)
    ]


def recall(parameters, dataset: Dataset):
    """The probability of recall FSRS with `parameters` predicts for every target of the dataset (in the
    order of dataset.targets), as a numpy array: the card's stability after the review before, from fsrs-rs,
    on FSRS-6's power forgetting curve, R = (1 + factor * t / S) ** -w20 with R(S) = 0.9."""
    import numpy as np
    from fsrs_rs_python import FSRS

    table = _table(dataset)
    parameters = list(parameters)
    cards = list(range(len(dataset.histories)))
    states = FSRS(parameters).historical_memory_state_batch(dataset.card_items(cards))
    stability = np.fromiter((states[c][i].stability for c, i in zip(table.card_list, table.before_list)),
                            dtype=float, count=len(table.card_list))
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * table.delta / stability) ** decay


class _Table:
    """Every target's fixed figures, as arrays in dataset.targets' order: what depends on the log alone."""

    def __init__(self, dataset: Dataset) -> None:
        import numpy as np

        targets = dataset.targets
        self.card_list = [t.card for t in targets]
        self.before_list = [t.index - 1 for t in targets]
        self.at = np.fromiter((t.at for t in targets), dtype=np.int64, count=len(targets))
        self.delta = np.fromiter((dataset.deltas[t.card][t.index] for t in targets), dtype=float, count=len(targets))
        self.y = np.fromiter((dataset.ratings(t.card)[t.index] > 1 for t in targets), dtype=np.int8,
                             count=len(targets))
        names = _bins(dataset)
        codes: dict[tuple[int, int, int], int] = {}
        self.bins = np.fromiter((codes.setdefault(b, len(codes)) for b in names), dtype=np.intp, count=len(targets))
        self.bin_names = list(codes)
        self.position = {(t.card, t.index): n for n, t in enumerate(targets)}


def _table(dataset: Dataset) -> _Table:
    table = dataset.cache.get("table")
    if table is None:
        table = dataset.cache["table"] = _Table(dataset)
    return table


def _positions(dataset: Dataset, targets: list[Target] | None):
    """The positions in dataset.targets of `targets` (default: all)."""
    import numpy as np

    if targets is None:
        return np.arange(len(dataset.targets))
    position = _table(dataset).position
    return np.fromiter((position[t.card, t.index] for t in targets), dtype=np.intp, count=len(targets))


def _bins(dataset: Dataset) -> list[tuple[int, int, int]]:
    """Every target's RMSE bin (r_matrix_bin's, with the counts kept running along each card's history), in
    dataset.targets' order."""
    by_card: dict[int, list[tuple[int, int]]] = {}  # card -> (position, index) of its targets, in time order
    for n, t in enumerate(dataset.targets):
        by_card.setdefault(t.card, []).append((n, t.index))
    out: list[tuple[int, int, int]] = [(0, 0, 0)] * len(dataset.targets)
    log = math.log
    delta_bins: dict[int, int] = {0: 0}
    length_bins: dict[int, int] = {}
    lapse_bins: dict[int, int] = {0: 0}
    for card, positions in by_card.items():
        ratings, deltas = dataset.ratings(card), dataset.deltas[card]
        long_term = lapses = done = 0  # over reviews [0, done): days > 0, and those rated Again
        for n, index in positions:  # a card's targets in time order are in index order
            while done < index:
                if deltas[done] > 0:
                    long_term += 1
                    lapses += ratings[done] == 1
                done += 1
            delta_t = deltas[index]
            length = long_term + (delta_t > 0) + 1
            # Each part depends on one count, and few counts occur: each is computed once.
            delta_bin = delta_bins.get(delta_t)
            if delta_bin is None:
                delta_bin = delta_bins[delta_t] = round(2.48 * 3.62 ** math.floor(log(delta_t, 3.62)) * 100)
            length_bin = length_bins.get(length)
            if length_bin is None:
                length_bin = length_bins[length] = round(1.99 * 1.89 ** math.floor(log(length, 1.89)))
            lapse_bin = lapse_bins.get(lapses)
            if lapse_bin is None:
                lapse_bin = lapse_bins[lapses] = round(1.65 * 1.73 ** math.floor(log(lapses, 1.73)))
            out[n] = (delta_bin, length_bin, lapse_bin)
    return out


def recency_weights(n: int) -> list[float]:
    span = max(n - 1, 1)
    return [0.25 + 0.75 * (i / span) ** 3 for i in range(n)]


def score(predictions: list[Prediction]) -> Metrics | None:
    """Both metrics, recency-weighted as fsrs-rs does and plain; None when nothing was scored."""
    import numpy as np

    if not predictions:
        return None
    predictions = sorted(predictions, key=lambda p: p.at)
    codes: dict[tuple, int] = {}
    return _metrics(
        np.array([p.p for p in predictions], dtype=float),
        np.array([p.y for p in predictions], dtype=np.int8),
        np.array([codes.setdefault(p.bin, len(codes)) for p in predictions], dtype=np.intp),
    )


def score_recall(dataset: Dataset, p, targets: list[Target] | None = None) -> Metrics | None:
    """`score` of the predictions `p` (from `recall`, for all the dataset's targets) of `targets` (default:
    all; the dataset's own, in time order), without a Prediction object each."""
    positions = _positions(dataset, targets)
    if not len(positions):
        return None
    table = _table(dataset)
    return _metrics(p[positions], table.y[positions], table.bins[positions])


def _metrics(p, y, bins) -> Metrics:
    """The four figures of predictions `p` (in time order) with outcomes `y` in RMSE bins `bins` (codes)."""
    import numpy as np

    n = len(p)
    span = max(n - 1, 1)
    weights = 0.25 + 0.75 * (np.arange(n) / span) ** 3
    clipped = np.clip(p, EPSILON, 1 - EPSILON)
    terms = np.where(y == 1, np.log(clipped), np.log(1 - clipped))
    count = np.bincount(bins)
    used = count > 0
    count = count[used]
    p_sum, y_sum = np.bincount(bins, weights=p)[used], np.bincount(bins, weights=y)[used]
    w_sum = np.bincount(bins, weights=weights)[used]
    gap = (p_sum / count - y_sum / count) ** 2
    return Metrics(
        log_loss=float(-(weights * terms).sum() / weights.sum()),
        rmse_bins=float(math.sqrt((gap * w_sum).sum() / w_sum.sum())),
        reviews=n,
        log_loss_unweighted=float(-terms.sum() / n),
        rmse_bins_unweighted=float(math.sqrt((gap * count).sum() / n)),
    )


def evaluate(parameters, dataset: Dataset, targets: list[Target] | None = None) -> Metrics | None:
    return score_recall(dataset, recall(parameters, dataset), targets)
