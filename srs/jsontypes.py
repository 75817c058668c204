"""The shapes of every `--json` output: scripts read these, so they are an API.

Each command's output is one TypedDict below (JSON_OUTPUTS maps the command to it); the producers'
`to_dict()` methods are annotated with them, so mypy checks that what is written matches. docs/json.md
is generated from this module by `python docs/generate_json.py` (a test fails while it is stale), so add
a comment beside a new field: it becomes the field's description.

Times are ISO 8601 with an offset, dates ISO `YYYY-MM-DD`, durations in the unit their name says.
"""

from __future__ import annotations

from typing import Literal, TypedDict

# -- srs check, srs list --------------------------------------------------------------------------


class DiagnosticJson(TypedDict):
    path: str
    line: int  # 1-based
    col: int  # 1-based
    severity: Literal["error", "warning"]
    message: str


class CheckJson(TypedDict):
    files: int  # deck files read
    items: int  # items in the files without errors
    errors: int
    warnings: int
    diagnostics: list[DiagnosticJson]


class DeckSummaryJson(TypedDict):
    id: str
    title: str
    kind: str  # "deck" or "quiz"
    path: str
    items: int
    cards: int  # a cloze item has one card per deletion
    kinds: dict[str, int]  # items per kind (flashcard, selfcheck, ordering, choice, cloze)


# -- srs due, srs answer, srs flagged -------------------------------------------------------------


class DueCountsJson(TypedDict):
    learning: int  # learning and relearning cards due now (and within the learn-ahead window)
    review: int
    new: int  # new cards the day's limit still allows


class DueCardJson(TypedDict):
    id: str  # the card's id
    deck: str
    queue: str  # "new", "learning" or "review"
    due: str | None  # None for new cards


class DueJson(TypedDict):
    counts: DueCountsJson
    cards: list[DueCardJson]  # in the order a review would show them


class AnswerJson(TypedDict):
    id: str
    rating: str  # "Again", "Hard", "Good" or "Easy"
    state: str  # after the answer: "new", "learning", "review" or "relearning"
    due: str
    stability: float | None  # days
    difficulty: float | None  # 1-10
    leech_suspended: bool  # this answer made the card a leech, and it was suspended


class FlaggedJson(TypedDict):
    id: str  # the card's id
    path: str  # the deck file
    line: int
    note: str  # what the learner wrote when flagging


# -- srs show ---------------------------------------------------------------------------------------


class ReviewJson(TypedDict):
    reviewed_at: str
    type: str  # the card's state before the review, as Anki names it: "learn", "review" or "relearn"
    rating: int  # 1-4
    rating_name: str
    interval_s: int | None  # seconds from this review to the due time it set
    stability: float | None  # after the review
    difficulty: float | None
    retrievability: float | None  # predicted recall at the review
    duration_ms: int | None
    response: str | None  # what the learner typed or chose
    source: str  # "review", "quiz" or "import"


class CardInfoJson(TypedDict):
    id: str  # the card's id
    item: str  # the item's id
    kind: str
    deck: str
    deck_title: str
    location: str  # file:line
    front: str  # markdown
    back: str  # markdown
    choices: dict[str, str]  # label -> text, for ordering and choice items
    tags: list[str]
    state: str  # "new", "learning", "review" or "relearning"
    stability: float | None
    difficulty: float | None
    retrievability: float | None  # now
    desired_retention: float
    parameters: str  # "default" (FSRS-6's) or "fitted" (to the learner's log)
    due: str | None
    due_in_s: int | None  # negative when overdue
    last_review: str | None
    reps: int
    lapses: int
    suspended: bool
    buried: bool
    leech: bool
    flagged: str | None
    retired: bool  # the item was removed from its deck file; its history is kept
    total_time_ms: int | None
    average_time_ms: float | None
    history: list[ReviewJson]  # oldest first (`srs show` lists it newest first)


# `srs show ID --json` writes one CardInfoJson for a card's id, and a list of them for an item with several cards.
ShowJson = CardInfoJson | list[CardInfoJson]


# -- srs stats --------------------------------------------------------------------------------------


class DueNowJson(TypedDict):
    learning: int
    review: int
    new: int
    total: int


class TodayJson(TypedDict):
    date: str
    reviews: int
    new: int  # new cards seen for the first time
    seconds: int
    correct: int  # rated Hard, Good or Easy
    accuracy: float | None
    due_now: DueNowJson


class StreakJson(TypedDict):
    current: int  # learner's days in a row ending today, or yesterday when today has no review yet
    longest: int
    reviewed_today: bool


class RetentionJson(TypedDict):
    days: int  # the window
    reviews: int  # reviews of cards in the review state
    passed: int  # of those, not rated Again
    true: float | None  # passed / reviews
    predicted: float | None  # mean retrievability FSRS gave those cards when they were reviewed


class ForecastDayJson(TypedDict):
    date: str
    due: int  # cards due that learner's day (today: overdue cards too)


class HeatmapJson(TypedDict):
    start: str  # a Monday
    end: str  # today
    total: int
    max: int  # the busiest day
    days: dict[str, int]  # date -> reviews, days with reviews only


class DeckStatsJson(TypedDict):
    id: str
    title: str
    cards: int  # active cards
    new: int
    learning: int  # learning and relearning
    review: int
    suspended: int
    due_today: int
    reviews_30d: int
    retention: float | None  # true retention over the last 30 days


class XpJson(TypedDict):
    xp: int
    level: int
    name: str
    level_xp: int  # where this level began
    next_level_xp: int  # where the next one begins
    next_name: str
    into_level: int
    level_span: int
    title: str
    to_next: str


class AchievementJson(TypedDict):
    id: str
    name: str
    description: str
    earned: bool
    value: int | None  # progress towards `goal`, for the countable ones
    goal: int | None


class AchievementsJson(TypedDict):
    earned: int
    total: int
    list: list[AchievementJson]


class StatsJson(TypedDict):
    now: str
    decks: list[str]
    today: TodayJson
    streak: StreakJson
    retention: RetentionJson
    forecast: list[ForecastDayJson]  # today first
    heatmap: HeatmapJson
    deck_stats: list[DeckStatsJson]
    xp: XpJson  # always the whole history, every deck
    achievements: AchievementsJson


# -- srs optimize, srs evaluate ---------------------------------------------------------------------


class MetricsJson(TypedDict):
    log_loss: float  # recency-weighted, as fsrs-rs computes it
    rmse_bins: float
    reviews: int  # scored reviews
    log_loss_unweighted: float
    rmse_bins_unweighted: float


class _ComparisonJson(TypedDict):
    scored_reviews: int
    defaults: MetricsJson | None  # FSRS-6's default parameters
    fitted: MetricsJson | None


class ComparisonJson(_ComparisonJson, total=False):
    current: MetricsJson  # the parameters in use before this fit, when there were any


class OptimizeJson(TypedDict):
    decks: list[str] | None  # None: the whole log, saved globally
    day_counting: str
    reviews: int
    scored_reviews: int
    cards: int
    problem: str | None  # why nothing was fitted
    parameters: list[float] | None  # the 21 fitted FSRS-6 parameters
    fit_seconds: float | None
    in_sample: ComparisonJson | None
    out_of_sample: ComparisonJson | None  # fitted on the earlier reviews, scored on the later
    split_at: str | None
    saved: bool
    saved_keys: list[str]
    kept_reason: str | None  # why the fitted parameters were not kept
    rescheduled_cards: int
    optimal_retention: float | None


class CalibrationBinJson(TypedDict):
    low: float
    high: float
    reviews: int
    predicted: float  # mean predicted recall
    actual: float  # share recalled


class EvaluateJson(TypedDict):
    decks: list[str] | None
    day_counting: str
    reviews: int
    scored_reviews: int
    parameters_in_use: dict[str, list[float] | str]  # deck -> its parameters, or "defaults"
    in_use: MetricsJson | None
    defaults: MetricsJson | None
    calibration: list[CalibrationBinJson]


# -- srs export -------------------------------------------------------------------------------------


class AnkiExportJson(TypedDict):
    path: str
    decks: int
    notes: int
    cards: int
    media: int  # image files in the package
    history_cards: int  # with --with-history: cards whose memory state went along
    history_reviews: int
    seconds: float


class PdfExportJson(TypedDict):
    path: str
    cards: int
    pages: int
    layout: str
    paper: str
    duplex: str | None
    cut_short: list[str]  # card ids whose text did not fit even when small
    seconds: float


# -- srs import -------------------------------------------------------------------------------------


class ImportReportJson(TypedDict):
    cards: int  # cards that received reviews
    cards_created: int  # placeholder items created
    reviews_added: int
    reviews_already_present: int  # already in the log, not added again
    skipped_bad_rows: int  # bad input rows skipped (--skip-bad)
    notes: list[str]


class RevlogImportJson(ImportReportJson):
    file: str
    rows: int  # data rows in the CSV file


class AnkiImportJson(TypedDict):
    package: str
    out_dir: str
    quiz_dir: str | None  # where quizzes went, when the package had any
    files: list[str]  # deck files written
    decks: int
    notes: int
    items: int
    media_files: int
    skipped: list[str]  # what could not be converted, and why
    reviews_without_card: int  # reviews of cards srs has no card for (such as reverse cards)
    history: ImportReportJson | None


# -- srs backup, srs sync ---------------------------------------------------------------------------


class BackupJson(TypedDict):
    path: str
    taken: str  # when, ISO 8601
    reason: str  # "manual", "daily", or what it was taken before: "before-import", "before-restore", ...


class BackupTakenJson(TypedDict):
    database: str  # the database backed up
    backup: str  # the backup file written


class SyncJson(TypedDict):
    server: str
    notes_updated: bool  # deck changes were sent as notes
    reviews_pushed: int  # reviews sent to the server
    reviews_pulled: int  # reviews received into srs's history
    full_sync: Literal["upload", "download"] | None  # when a full sync happened, which way
    reviews_taken_back: int  # reviews undone in srs after a sync, removed from srs's Anki collection
    edited_elsewhere: list[str]  # items whose note was edited on another device (the deck file's text kept)


class SyncStatusJson(TypedDict):
    server: str
    reviews_to_send: int
    deck_changes_to_send: bool
    server_says: str  # "nothing to sync", "changes to sync" or "full sync needed"


# -- srs search, srs card log -----------------------------------------------------------------------


class SearchRowJson(TypedDict):
    id: str  # the card's public id (an item's id, or ITEM#cN for a cloze deletion)
    deck: str
    front: str  # the card's question, as text (cloze deletions shown as [...])
    state: str  # "new", "learning", "review" or "relearning"
    due: str | None  # ISO 8601, UTC; None for new cards
    r: float | None  # the probability of recall now (FSRS), rounded to 4 places; None for new cards
    suspended: bool
    buried: bool
    flagged: str | None  # the note of a flag, if flagged
    leech: bool


class CardLogEntryJson(TypedDict):
    at: str  # when, ISO 8601
    action: str  # "answer", or the `srs card` action: "suspend", "bury", "flag", "forget", "reschedule", ...
    detail: str | None  # an answer's rating ("Again" to "Easy"); an action's options, such as "days 3"


# -- srs config -------------------------------------------------------------------------------------

# A setting's value: a number, true/false, text, or a list of steps such as ["1m", "10m"]
SettingValue = bool | int | float | str | list[str]
# Where a setting's value in force comes from (see `srs config --help` for their precedence)
SettingSource = Literal["command line", "environment", "settings file", "deck YAML", "default"]


class ConfigValueJson(TypedDict):
    key: str  # KEY, or deck.ID.KEY for one deck's own value
    value: SettingValue
    source: SettingSource


class ConfigSettingJson(ConfigValueJson):
    help: str  # what the key means


# Every command with --json, and the type of what it writes.
JSON_OUTPUTS: dict[str, object] = {
    "srs check": CheckJson,
    "srs list": list[DeckSummaryJson],
    "srs due": DueJson,
    "srs answer": AnswerJson,
    "srs flagged": list[FlaggedJson],
    "srs show": ShowJson,
    "srs stats": StatsJson,
    "srs optimize": OptimizeJson,
    "srs evaluate": EvaluateJson,
    "srs export anki": AnkiExportJson,
    "srs export pdf": PdfExportJson,
    "srs import revlog": RevlogImportJson,
    "srs import anki": AnkiImportJson,
    "srs search": list[SearchRowJson],
    "srs card log": list[CardLogEntryJson],
    "srs config list": list[ConfigSettingJson],
    "srs config get": ConfigValueJson,
    "srs backup": list[BackupJson] | BackupTakenJson,  # with --list: the backups, newest first
    "srs sync": SyncJson | SyncStatusJson,  # with --status: what a sync would move
}
