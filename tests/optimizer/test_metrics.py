"""Log loss and RMSE(bins) as fsrs-rs defines them; day counting; the FSRS items a log gives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview

from srs.optimizer.calibration import calibration
from srs.optimizer.history import (
    ELAPSED,
    LEARNER,
    CardHistory,
    Review,
    build_dataset,
    day_deltas,
    histories_from_rows,
)
from srs.optimizer.metrics import evaluate, predict, r_matrix_bin, recency_weights

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import TRUE_PARAMETERS, synthetic_log  # noqa: E402

DAY = 86_400


def dataset_from(rows, counting=ELAPSED):
    return build_dataset(histories_from_rows((card, "deck", at, rating) for card, rating, at in rows), counting)


def test_elapsed_days_are_whole_24_hour_periods():
    t = 1_704_067_200  # 2024-01-01 00:00 UTC
    times = [t, t + 3600, t + DAY, t + 2 * DAY + 3600, t + 11 * DAY]
    assert day_deltas(times, ELAPSED) == [0, 0, 0, 1, 8]


def test_learner_days_turn_over_at_4_am_local_time(time_zone):
    with time_zone("UTC"):
        t = 1_704_067_200 + 23 * 3600  # 2024-01-01 23:00 UTC
        five_next_morning = t + 6 * 3600
        assert day_deltas([t, five_next_morning], LEARNER) == [0, 1]
        assert day_deltas([t, five_next_morning], ELAPSED) == [0, 0]
        three_next_morning = t + 4 * 3600
        assert day_deltas([t, three_next_morning], LEARNER) == [0, 0]


def test_scored_reviews_are_those_a_day_or_more_after_the_previous():
    h = CardHistory("a", "d", [Review(0, 3), Review(600, 3), Review(DAY + 700, 3), Review(DAY + 800, 1)])
    ds = build_dataset([h])
    assert [(t.card, t.index) for t in ds.targets] == [(0, 2)]
    items = ds.items()
    assert repr(items[0]) == repr(FSRSItem([FSRSReview(3, 0), FSRSReview(3, 0), FSRSReview(3, 1)]))


@pytest.mark.parametrize("parameters", [DEFAULT_PARAMETERS, TRUE_PARAMETERS])
def test_metrics_equal_fsrs_rs_evaluate(parameters):
    ds = dataset_from(synthetic_log(150, 8, seed=3))
    ours = evaluate(parameters, ds)
    theirs = FSRS(list(parameters)).evaluate(ds.items())
    assert ours.reviews == len(ds.targets)
    assert ours.log_loss == pytest.approx(theirs.log_loss, abs=2e-5)
    assert ours.rmse_bins == pytest.approx(theirs.rmse_bins, abs=2e-5)


def test_predictions_equal_fsrs_rs_one_item_at_a_time():
    ds = dataset_from(synthetic_log(20, 6, seed=4))
    predictions = predict(DEFAULT_PARAMETERS, ds)
    fsrs = FSRS(DEFAULT_PARAMETERS)
    for pred, item in list(zip(predictions, ds.items()))[:40]:
        single = fsrs.evaluate([item]).log_loss  # one item: no recency weighting
        import math

        assert -(math.log(pred.p) if pred.y else math.log(1 - pred.p)) == pytest.approx(single, abs=1e-5)


def test_r_matrix_bins_follow_fsrs_rs():
    ratings = [3, 1, 3, 3]
    deltas = [0, 2, 0, 13]
    # delta 13 -> 2.48 * 3.62 ** floor(log_3.62 13) * 100 = 898; 3 long-term reviews + 1 -> length bin 4;
    # one long-term lapse (the Again two days in) -> lapse bin 2.
    assert r_matrix_bin(ratings, deltas, 3) == (898, 4, 2)


def test_recency_weights_run_from_a_quarter_to_one():
    w = recency_weights(5)
    assert w[0] == 0.25 and w[-1] == 1.0 and w == sorted(w)


def test_split_is_in_time():
    ds = dataset_from(synthetic_log(50, 6, seed=5))
    earlier, later = ds.split(0.8)
    assert len(earlier) + len(later) == len(ds.targets)
    assert max(t.at for t in earlier) < min(t.at for t in later)
    assert abs(len(earlier) / len(ds.targets) - 0.8) < 0.05


def test_calibration_bins_add_up():
    ds = dataset_from(synthetic_log(100, 6, seed=6))
    predictions = predict(DEFAULT_PARAMETERS, ds)
    bins = calibration(predictions)
    assert sum(b.reviews for b in bins) == len(predictions)
    for b in bins:
        assert b.low <= b.predicted <= b.high
        assert 0 <= b.actual <= 1


def test_fsrs_items_match_a_hand_built_item():
    ds = dataset_from([("a", 3, 0), ("a", 3, 2 * DAY), ("a", 1, 9 * DAY)])
    items = ds.items()
    expected = FSRSItem([FSRSReview(3, 0), FSRSReview(3, 2), FSRSReview(1, 7)])
    assert repr(items[-1]) == repr(expected)


def test_every_target_is_binned_as_r_matrix_bin_bins_it_alone():
    ds = dataset_from(synthetic_log(150, 8, seed=5))
    binned = [p.bin for p in predict(DEFAULT_PARAMETERS, ds)]
    assert binned == [r_matrix_bin(ds.ratings(t.card), ds.deltas[t.card], t.index) for t in ds.targets]
    assert len(set(binned)) > 10


def test_targets_are_found_by_identity_or_by_value():
    from srs.optimizer.history import Target

    ds = dataset_from(synthetic_log(60, 6, seed=2))
    own = ds.targets[5:40]
    copies = [Target(t.at, t.card, t.index) for t in own]
    assert ds.positions(own).tolist() == ds.positions(copies).tolist() == list(range(5, 40))
    assert ds.items(copies) == ds.items()[5:40]
