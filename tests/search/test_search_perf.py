"""The search benchmark, smaller: every query's SQL beats a plain Python filter of the same cards.

The figures at 100,000 items come from `python benchmarks/bench_search.py` (see README)."""

import pytest

from benchmarks.bench_search import measure


@pytest.mark.slow
def test_every_query_in_sql_is_faster_than_a_python_filter():
    rows = measure(20_000)
    for row in rows:
        assert row["python_ms"] / row["sql_ms"] > 2, row
