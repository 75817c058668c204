"""The real learner's log (../shared/data/review-logs-real.csv): the known figures, and the whole path
through the command line: import it, optimize, evaluate.

Known figures (FSRS-6, scored in-sample with fsrs-rs's evaluate, reviews at least a day after the
previous one): defaults log loss 0.4502, RMSE(bins) 0.0883; fitted by fsrs-rs 0.4402 and 0.0519.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import fsrs
import pytest
from click.testing import CliRunner
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS

from srs.cli import cli
from srs.clock import from_epoch
from srs.importers.revlog_csv import read_revlog_csv
from srs.optimizer.fit import fit
from srs.optimizer.history import build_dataset, histories_from_rows
from srs.optimizer.metrics import evaluate
from srs.store import Store


def find_real_log() -> Path:
    """$SRS_REAL_LOG, else shared/data/review-logs-real.csv beside the checkout or beside any folder above it."""
    if os.environ.get("SRS_REAL_LOG"):
        return Path(os.environ["SRS_REAL_LOG"])
    for folder in Path(__file__).resolve().parents[2].parents:
        if (folder / "shared" / "data" / "review-logs-real.csv").is_file():
            return folder / "shared" / "data" / "review-logs-real.csv"
    return Path("shared/data/review-logs-real.csv")


REAL_LOG = find_real_log()
pytestmark = pytest.mark.skipif(
    not REAL_LOG.is_file(),
    reason="the real review log is not beside this checkout: set SRS_REAL_LOG=/path/to/review-logs-real.csv",
)


@pytest.fixture(scope="module")
def dataset():
    log = read_revlog_csv(REAL_LOG)
    return build_dataset(histories_from_rows((r.card, "real", r.at, r.rating) for r in log.reviews))


def test_the_log_is_what_the_readme_says(dataset):
    assert dataset.reviews == 12_580
    assert len(dataset.histories) == 1_205


def test_default_parameters_score_the_known_figures(dataset):
    metrics = evaluate(DEFAULT_PARAMETERS, dataset)
    print(f"\ndefaults in-sample: log loss {metrics.log_loss:.4f}, RMSE(bins) {metrics.rmse_bins:.4f}")
    assert metrics.log_loss == pytest.approx(0.4502, abs=5e-4)
    assert metrics.rmse_bins == pytest.approx(0.0883, abs=5e-4)
    reference = FSRS(DEFAULT_PARAMETERS).evaluate(dataset.items())
    assert metrics.log_loss == pytest.approx(reference.log_loss, abs=1e-5)
    assert metrics.rmse_bins == pytest.approx(reference.rmse_bins, abs=1e-5)


def test_fitted_parameters_beat_the_defaults_in_sample(dataset):
    fitted = fit(dataset)
    ours, defaults = evaluate(fitted.parameters, dataset), evaluate(DEFAULT_PARAMETERS, dataset)
    print(f"\nfitted in-sample: log loss {ours.log_loss:.4f}, RMSE(bins) {ours.rmse_bins:.4f} "
          f"(fit {fitted.seconds:.3f} s)")
    assert len(fitted.parameters) == 21
    assert ours.log_loss < defaults.log_loss
    assert ours.rmse_bins < defaults.rmse_bins
    assert ours.log_loss == pytest.approx(0.4402, abs=2e-3)
    assert ours.rmse_bins == pytest.approx(0.0519, abs=5e-3)
    assert fitted.seconds < 1.0


def test_out_of_sample_the_fit_on_the_past_predicts_the_future(dataset):
    earlier, later = dataset.split(0.8)
    early_fit = fit(dataset, earlier)
    ours = evaluate(early_fit.parameters, dataset, later)
    defaults = evaluate(DEFAULT_PARAMETERS, dataset, later)
    print(f"\nout-of-sample ({len(later)} later reviews): defaults {defaults.log_loss:.4f} / {defaults.rmse_bins:.4f}, "
          f"fitted {ours.log_loss:.4f} / {ours.rmse_bins:.4f}")
    assert ours.log_loss < defaults.log_loss


@pytest.mark.slow
def test_import_optimize_evaluate_from_the_command_line(tmp_path):
    runner = CliRunner()
    env = {"SRS_DB": str(tmp_path / "srs.db"), "SRS_DECKS": str(tmp_path / "decks")}
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "one.yaml").write_text("title: One\nid: one\nitems:\n  - q: a\n    a: b\n")

    imported = runner.invoke(cli, ["import", "revlog", str(REAL_LOG), "--json"], env=env)
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["reviews_added"] == 12_580

    text = runner.invoke(cli, ["optimize", "--dry-run"], env=env)
    assert text.exit_code == 0, text.output
    print("\n" + text.stdout)
    assert "In-sample" in text.stdout and "Out-of-sample" in text.stdout

    result = runner.invoke(cli, ["optimize", "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    ins, oos = report["in_sample"], report["out_of_sample"]
    print(json.dumps({"in_sample": ins, "out_of_sample": oos, "fit_seconds": report["fit_seconds"]}, indent=1))
    assert ins["defaults"]["log_loss"] == pytest.approx(0.4502, abs=5e-4)
    assert ins["defaults"]["rmse_bins"] == pytest.approx(0.0883, abs=5e-4)
    assert ins["fitted"]["log_loss"] < ins["defaults"]["log_loss"]
    assert ins["fitted"]["rmse_bins"] < ins["defaults"]["rmse_bins"]
    assert oos["fitted"]["log_loss"] < oos["defaults"]["log_loss"]
    assert report["saved"] and report["saved_keys"] == ["fsrs_parameters"]
    assert report["rescheduled_cards"] == 1_205

    store = Store.open(tmp_path / "srs.db")
    params = store.setting("fsrs_parameters")
    assert len(params) == 21
    # Every card was rescheduled from its log: its memory is what py-fsrs gives replaying it with the
    # new parameters (fuzz changes due dates only).
    reference = fsrs.Scheduler(parameters=params, enable_fuzzing=False)
    for uid in ("revlog-1711684180217", "revlog-1711686162078"):
        card = store.find_card(uid)
        logs = [
            fsrs.ReviewLog(card_id=card.cid, rating=fsrs.Rating(row.rating),
                           review_datetime=from_epoch(row.reviewed_at), review_duration=None)
            for row in store.revlog_for(card.cid)
        ]
        replayed = reference.reschedule_card(fsrs.Card(card_id=card.cid), logs)
        assert card.stability == pytest.approx(replayed.stability, rel=1e-9)
        assert card.difficulty == pytest.approx(replayed.difficulty, rel=1e-9)
    store.close()

    evaluated = runner.invoke(cli, ["evaluate", "--json"], env=env)
    assert evaluated.exit_code == 0, evaluated.output
    ev = json.loads(evaluated.stdout)
    assert ev["in_use"]["log_loss"] == pytest.approx(ins["fitted"]["log_loss"], abs=1e-6)
    assert sum(b["reviews"] for b in ev["calibration"]) == 5_329

    chart = runner.invoke(cli, ["evaluate"], env=env)
    assert "Calibration" in chart.stdout and "|" in chart.stdout
