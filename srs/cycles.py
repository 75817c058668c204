"""Bulk work with Python's cyclic garbage collector paused.

Loading decks, linting them, syncing them into the store, importing a package and fitting parameters each make
hundreds of thousands of small objects and no reference cycles (reference counting frees them). Each of them
counts towards the collector's next pass, which walks every object of the process and finds nothing: measured,
a third of loading a large deck, 10-15% of a first sync, a tenth of a 10k-note import, 5-70 ms of `srs optimize`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cyclic collector off inside (a decorator too); as it was after, so these nest."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
