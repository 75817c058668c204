"""Personal scheduling: FSRS fitted to the learner's own review log, and measured.

history (the log as per-card reviews with day deltas), fit (fsrs-rs), metrics (log loss, RMSE(bins)),
calibration, retention (the workload-minimising desired retention), replay (rescheduling from the log)
and personalize (the steps together, for the commands).
"""
