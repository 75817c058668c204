"""Calibration: predicted recall against actual recall, by bins of the prediction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from srs.optimizer.metrics import Prediction

if TYPE_CHECKING:
    from srs.jsontypes import CalibrationBinJson


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    reviews: int
    predicted: float  # mean predicted recall
    actual: float  # share recalled

    def to_dict(self) -> CalibrationBinJson:
        return {
            "low": self.low, "high": self.high, "reviews": self.reviews,
            "predicted": round(self.predicted, 4), "actual": round(self.actual, 4),
        }


def calibration(predictions: list[Prediction], width: float = 0.05, min_reviews: int = 1) -> list[CalibrationBin]:
    """Bins of `width` over the predicted recall (0-5%, 5-10%, ...); empty bins are left out."""
    count = round(1 / width)
    sums: dict[int, list[float]] = {}
    for pred in predictions:
        index = min(int(pred.p / width), count - 1)
        s = sums.setdefault(index, [0, 0.0, 0.0])
        s[0] += 1
        s[1] += pred.p
        s[2] += pred.y
    return [
        CalibrationBin(round(i * width, 4), round((i + 1) * width, 4), int(n), p / n, y / n)
        for i, (n, p, y) in sorted(sums.items())
        if n >= min_reviews
    ]
