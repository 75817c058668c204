"""The first sync of 10,000 cards against Anki's CSV import of the same notes (benchmarks/bench_store_anki.py).

Measured in a fresh process, as srs runs, with each side's library loaded before its clock starts; a run that
misses is measured once more, and the better run counts. The issue's target is 1.5x. Measured so on the shared
2-core machine: 3.9-4.2x before the fast YAML path (srs/deck/yamlfast.py), the reuse of the loader's work for the
stored rows and the direct filling of the search index, 2.95-3.35x after, and 2.55-2.6x (against 2.75 for the code
before, in the same session) since the content hash is canonical JSON by orjson and the rows' JSON is written with
json's own string encoder; the bound catches a regression of most of that gain. (SQLite's part alone, the inserts
and the commit, is about 0.9x Anki's whole import: `python -m benchmarks.bench_store_anki --floor`.)
"""

import pytest

from benchmarks.common import ratio_within

MEASURE = "import json; from benchmarks.bench_store_anki import first_sync; print(json.dumps(first_sync(10_000)))"
BOUND = 3.75


@pytest.mark.slow
def test_the_first_sync_of_10000_cards_stays_within_bound_of_ankis_csv_import():
    assert ratio_within(MEASURE, BOUND)["ratio"] < BOUND
