"""Personal scheduling: fit FSRS to the store's review log, measure it, save it, reschedule with it.

These functions return data; the commands print it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from srs.cycles import no_cycle_collection
from srs.optimizer.calibration import CalibrationBin, calibration
from srs.optimizer.fit import MIN_SCORED, default_parameters, fit, too_little_history
from srs.optimizer.history import ELAPSED, Dataset, build_dataset, load_histories, read_histories
from srs.optimizer.metrics import Metrics, Prediction, predict, recall, score, score_recall
from srs.optimizer.metrics import evaluate as evaluate_parameters

if TYPE_CHECKING:
    from srs.jsontypes import ComparisonJson, EvaluateJson, OptimizeJson

HOLDOUT = 0.2  # out-of-sample: fit on the earlier 80% of scored reviews, score on the later 20%


def parameters_key(deck_id: str | None) -> str:
    return f"fsrs_parameters:{deck_id}" if deck_id else "fsrs_parameters"


@dataclass
class Comparison:
    defaults: Metrics | None
    fitted: Metrics | None
    scored: int = 0
    current: Metrics | None = None  # the saved parameters in use before this fit, if any

    def to_dict(self) -> ComparisonJson:
        out: ComparisonJson = {
            "scored_reviews": self.scored,
            "defaults": self.defaults.to_dict() if self.defaults else None,
            "fitted": self.fitted.to_dict() if self.fitted else None,
        }
        if self.current:
            out["current"] = self.current.to_dict()
        return out


@dataclass
class OptimizeResult:
    decks: list[str] | None  # None: the whole log, saved globally
    counting: str
    reviews: int
    scored: int
    cards: int
    problem: str | None = None  # why nothing was fitted
    parameters: list[float] | None = None
    fit_seconds: float | None = None
    in_sample: Comparison | None = None
    out_of_sample: Comparison | None = None
    split_at: int | None = None  # epoch seconds: fitted before, scored from
    saved: bool = False
    saved_keys: list[str] = field(default_factory=list)
    kept_reason: str | None = None
    rescheduled: int = 0
    optimal_retention: float | None = None

    def to_dict(self) -> OptimizeJson:
        from srs.clock import from_epoch

        return {
            "decks": self.decks,
            "day_counting": self.counting,
            "reviews": self.reviews,
            "scored_reviews": self.scored,
            "cards": self.cards,
            "problem": self.problem,
            "parameters": [round(p, 4) for p in self.parameters] if self.parameters else None,
            "fit_seconds": round(self.fit_seconds, 4) if self.fit_seconds is not None else None,
            "in_sample": self.in_sample.to_dict() if self.in_sample else None,
            "out_of_sample": self.out_of_sample.to_dict() if self.out_of_sample else None,
            "split_at": from_epoch(self.split_at).isoformat() if self.split_at else None,
            "saved": self.saved,
            "saved_keys": self.saved_keys,
            "kept_reason": self.kept_reason,
            "rescheduled_cards": self.rescheduled,
            "optimal_retention": self.optimal_retention,
        }


def optimize(
    store,
    deck_ids: list[str] | None = None,
    *,
    counting: str = ELAPSED,
    holdout: float = HOLDOUT,
    save: bool = True,
    retention: bool = False,
    now: int | None = None,
    before_saving: Callable[[], object] | None = None,
) -> OptimizeResult:
    """Fit, score in and out of sample, and (when the fit beats the defaults) save and reschedule;
    `before_saving` (a backup) runs just before anything is written, and only then."""
    with no_cycle_collection():
        return _optimize(store, deck_ids, counting, holdout, save, retention, now, before_saving)


def _optimize(store, deck_ids: list[str] | None, counting: str, holdout: float, save: bool, retention: bool,
              now: int | None, before_saving: Callable[[], object] | None) -> OptimizeResult:
    histories, version = read_histories(store, deck_ids)  # the fit's log is also the reschedule's
    dataset = build_dataset(histories, counting)
    result = OptimizeResult(deck_ids, counting, dataset.reviews, len(dataset.targets), len(dataset.histories))
    defaults = default_parameters()
    result.problem = too_little_history(dataset)
    if result.problem:
        result.in_sample = Comparison(evaluate_parameters(defaults, dataset), None, len(dataset.targets))
        return result

    earlier, later = dataset.split(1 - holdout)
    fitted = fit(dataset)
    result.parameters, result.fit_seconds = fitted.parameters, fitted.seconds
    fitted_score = evaluate_parameters(fitted.parameters, dataset)
    default_recall = recall(defaults, dataset)
    in_sample = result.in_sample = Comparison(score_recall(dataset, default_recall), fitted_score,
                                              len(dataset.targets))
    current = current_parameters(store, deck_ids)
    if current:
        in_sample.current = evaluate_parameters(current, dataset)
    others = [m.log_loss for m in (in_sample.defaults, in_sample.current) if m is not None]
    # The dataset has scored reviews (else `problem` was set above), so every score exists; were one missing,
    # the fit could not be shown to be better, and is not kept.
    if fitted_score is None or (others and fitted_score.log_loss >= min(others)):
        kept = "the parameters saved before" if current else "the defaults"
        result.kept_reason = f"the fitted parameters predict this log no better than {kept}; kept {kept}"
    elif save:
        if before_saving:
            before_saving()
        keys = [parameters_key(d) for d in deck_ids] if deck_ids else [parameters_key(None)]
        result.rescheduled = save_and_reschedule(store, {k: fitted.parameters for k in keys}, deck_ids,
                                                 (dataset.histories, version))
        result.saved, result.saved_keys = True, keys
    if len(earlier) >= MIN_SCORED // 2 and later:
        # The second fit runs after the first, not beside it in a thread: fsrs-rs keeps the cores busy, and the
        # two side by side took longer than one after the other (measured on a 2-core machine).
        early_fit = fit(dataset, earlier)
        result.split_at = later[0].at
        result.out_of_sample = Comparison(score_recall(dataset, default_recall, later),
                                          evaluate_parameters(early_fit.parameters, dataset, later), len(later))
    if retention:
        chosen = fitted.parameters if result.kept_reason is None else defaults
        result.optimal_retention = retention_for(store, deck_ids, chosen, dataset, now)
    return result


def retention_for(store, deck_ids: list[str] | None, parameters, dataset: Dataset, now: int | None) -> float:
    """The workload-minimising desired retention for the scope's cards as they stand `now` (default: now)."""
    import time

    from srs.optimizer.retention import optimal_retention
    from srs.settings import current
    from srs.store.reports import deck_card_counts

    at = int(time.time()) if now is None else now
    new_cards = sum(counts[1] for counts in deck_card_counts(store, at, deck_ids).values())
    settings = current()
    return optimal_retention(
        parameters, dataset, now=at, new_cards=new_cards,
        new_per_day=settings.get("new_per_day"), reviews_per_day=settings.get("reviews_per_day"),
    ).desired_retention


def current_parameters(store, deck_ids: list[str] | None) -> list[float] | None:
    """The saved parameters the scope schedules with now (None: the defaults, or decks that differ)."""
    if not deck_ids:
        saved = store.setting(parameters_key(None))
        return list(saved) if saved else None
    in_use = [parameters_in_use(store, d) for d in deck_ids]
    return in_use[0] if all(p == in_use[0] for p in in_use) else None


def save_and_reschedule(store, settings: dict, deck_ids: list[str] | None,
                        snapshot: tuple[list, int] | None = None) -> int:
    """Write the settings and replay every affected card's log with them (from `snapshot`, the histories read
    by `read_histories`, unless the store changed since), committed together."""
    from srs.optimizer.replay import reschedule

    return reschedule(store, deck_ids, save_settings=settings, snapshot=snapshot)


# -- evaluation of the parameters in use ---------------------------------------------------------------


@dataclass
class EvaluateResult:
    decks: list[str] | None
    counting: str
    reviews: int
    scored: int
    parameters_in_use: dict[str, list[float] | None]  # deck id -> parameters (None: the defaults)
    in_use: Metrics | None
    defaults: Metrics | None
    calibration: list[CalibrationBin]

    def to_dict(self) -> EvaluateJson:
        return {
            "decks": self.decks,
            "day_counting": self.counting,
            "reviews": self.reviews,
            "scored_reviews": self.scored,
            "parameters_in_use": {
                deck: ([round(p, 4) for p in params] if params else "defaults")
                for deck, params in self.parameters_in_use.items()
            },
            "in_use": self.in_use.to_dict() if self.in_use else None,
            "defaults": self.defaults.to_dict() if self.defaults else None,
            "calibration": [b.to_dict() for b in self.calibration],
        }


def parameters_in_use(store, deck_id: str) -> list[float] | None:
    from srs.session import scheduler_settings

    params = scheduler_settings(store, deck_id).parameters
    return list(params) if params else None


def predictions_in_use(store, dataset: Dataset) -> tuple[list[Prediction], dict[str, list[float] | None]]:
    """Predictions for every scored review with the parameters its card's deck schedules with."""
    by_deck = {h.deck_id for h in dataset.histories}
    in_use = {deck: parameters_in_use(store, deck) for deck in sorted(by_deck)}
    groups: dict[tuple, list] = {}
    for target in dataset.targets:
        params = in_use[dataset.histories[target.card].deck_id]
        groups.setdefault(tuple(params) if params else (), []).append(target)
    predictions: list[Prediction] = []
    for key, targets in groups.items():
        predictions += predict(list(key) or default_parameters(), dataset, targets)
    predictions.sort(key=lambda p: p.at)
    return predictions, in_use


def evaluate(store, deck_ids: list[str] | None = None, *, counting: str = ELAPSED) -> EvaluateResult:
    with no_cycle_collection():
        return _evaluate(store, deck_ids, counting)


def _evaluate(store, deck_ids: list[str] | None, counting: str) -> EvaluateResult:
    dataset = build_dataset(load_histories(store, deck_ids), counting)
    predictions, in_use = predictions_in_use(store, dataset)
    return EvaluateResult(
        decks=deck_ids,
        counting=counting,
        reviews=dataset.reviews,
        scored=len(dataset.targets),
        parameters_in_use=in_use,
        in_use=score(predictions),
        defaults=evaluate_parameters(default_parameters(), dataset),
        calibration=calibration(predictions),
    )
