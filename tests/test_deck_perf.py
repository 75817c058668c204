"""Loading and checking 10,000 items in 50 files takes under a second (benchmarks/bench_load.py)."""

import pytest

from benchmarks.bench_load import run


@pytest.mark.slow
def test_loading_and_checking_10000_items_takes_under_a_second():
    figures = run(items=10_000, files=50)
    print(
        f"load_paths {figures['load_s'] * 1000:.0f} ms, yaml.load (CSafeLoader) {figures['yaml_s'] * 1000:.0f} ms, "
        f"ratio {figures['ratio']:.2f}"
    )
    # The target is 1 s on an idle machine (about 0.75 s there, with yaml.load at 0.4 s); 1.5 s leaves room
    # for CI noise. Where the machine is so busy that plain yaml.load of the same files takes over 0.6 s,
    # the time is judged against that baseline instead.
    assert figures["load_s"] < max(1.5, 2.5 * figures["yaml_s"])
