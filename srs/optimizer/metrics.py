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
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any

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
    """fsrs-rs's `r_matrix_index` of the item ending at review `index` (one item; `_Table` bins them all)."""
    length = sum(1 for d in deltas[: index + 1] if d > 0) + 1
    lapses = sum(1 for r, d in zip(ratings[:index], deltas[:index]) if r == 1 and d > 0)
    return _delta_bin(deltas[index]), _length_bin(length), _lapse_bin(lapses)


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
    states = FSRS(parameters).historical_memory_state_batch(dataset.card_items(list(range(len(dataset.histories)))))
    # The stability after every review of every card, flat (as the table counts positions), then the targets'.
    every = np.fromiter(map(_stability, chain.from_iterable(states)), dtype=float, count=table.total)
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * table.delta / every[table.flat - 1]) ** decay


_stability = attrgetter("stability")


class _Table:
    """Every target's fixed figures, as arrays in dataset.targets' order (what depends on the log alone),
    computed over all reviews of all cards at once, laid end to end card after card ("flat")."""

    def __init__(self, dataset: Dataset) -> None:
        import numpy as np

        _, position, flat, first = dataset.layout()
        self.flat = flat
        self.total = total = len(position)
        deltas = np.fromiter(chain.from_iterable(dataset.deltas), dtype=np.int64, count=total)
        ratings = np.fromiter(chain.from_iterable(dataset.every_rating()), dtype=np.int64, count=total)
        self.at = dataset.columns()[0]
        delta = deltas[flat]
        self.delta = delta.astype(float)
        self.y = (ratings[flat] > 1).astype(np.int8)
        # r_matrix_bin's counts along each card's history: reviews a day or more apart up to the target
        # (itself included), and those of them rated Again before it; each part's bin computed once per count.
        long_term = np.concatenate(([0], np.cumsum(deltas > 0)))
        lapsed = np.concatenate(([0], np.cumsum((deltas > 0) & (ratings == 1))))
        length = long_term[flat + 1] - long_term[first] + 1
        lapses = lapsed[flat] - lapsed[first]
        parts = [_binned(delta, _delta_bin), _binned(length, _length_bin), _binned(lapses, _lapse_bin)]
        # Each target's bin, as an index into bin_names: the three parts' indexes made one number, numbered.
        key = (parts[0][1] * len(parts[1][0]) + parts[1][1]) * len(parts[2][0]) + parts[2][1]
        distinct, inverse = np.unique(key, return_inverse=True)
        self.bins = inverse.reshape(-1)
        self.bin_names = []
        for k in distinct.tolist():
            rest, c = divmod(k, len(parts[2][0]))
            a, b = divmod(rest, len(parts[1][0]))
            self.bin_names.append((parts[0][0][a], parts[1][0][b], parts[2][0][c]))


def _binned(counts, part) -> tuple[list[int], Any]:
    """(the distinct values of `part(count)`, each count's index into them), for `counts` (a numpy array):
    `part` is computed once per distinct count (several counts share a value: the bins are logarithmic)."""
    import numpy as np

    distinct, inverse = np.unique(counts, return_inverse=True)
    values, which = np.unique(np.array([part(c) for c in distinct.tolist()], dtype=np.int64), return_inverse=True)
    return values.tolist(), which.reshape(-1)[inverse.reshape(-1)]


def _delta_bin(delta_t: int) -> int:
    return round(2.48 * 3.62 ** math.floor(math.log(delta_t, 3.62)) * 100) if delta_t > 0 else 0


def _length_bin(length: int) -> int:
    return round(1.99 * 1.89 ** math.floor(math.log(length, 1.89)))


def _lapse_bin(lapses: int) -> int:
    return round(1.65 * 1.73 ** math.floor(math.log(lapses, 1.73))) if lapses else 0


def _table(dataset: Dataset) -> _Table:
    table = dataset.cache.get("table")
    if table is None:
        table = dataset.cache["table"] = _Table(dataset)
    return table


def _positions(dataset: Dataset, targets: list[Target] | None):
    """The positions in dataset.targets of `targets` (default: all)."""
    import numpy as np

    return np.arange(len(dataset.targets)) if targets is None else dataset.positions(targets)


def recency_weights(n: int) -> list[float]:
    """fsrs-rs's weight of each of `n` scored reviews in time order: from a quarter (the oldest) to one."""
    return _recency_weights(n).tolist()


def _recency_weights(n: int):
    import numpy as np

    return 0.25 + 0.75 * (np.arange(n) / max(n - 1, 1)) ** 3


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
    weights = _recency_weights(n)
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
