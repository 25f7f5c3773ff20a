"""Independent, reproducible random streams.

Every table family and every chunk of customers gets its own
``numpy.random.SeedSequence`` child keyed by ``(stream, chunk)``, so the data
of chunk 7 does not depend on how many chunks ran before it, in which order,
or in how many processes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["STREAMS", "rng_for", "check_random_state"]

STREAMS: dict[str, int] = {
    "stores": 1,
    "customers": 2,
    "orders": 3,
    "items": 4,
    "loyalty": 5,
    "survey": 6,
    "campaign": 7,
    "faults": 8,
    "pii": 9,
    "rollout": 10,
    "events": 11,
    "wallet": 12,
}


def rng_for(seed: int, stream: str, chunk: int = 0) -> np.random.Generator:
    """The generator of ``stream`` for customer chunk ``chunk`` under ``seed``.

    >>> float(rng_for(0, "orders", 3).random()) == float(rng_for(0, "orders", 3).random())
    True
    """
    ss = np.random.SeedSequence(int(seed), spawn_key=(STREAMS[stream], int(chunk)))
    return np.random.Generator(np.random.PCG64(ss))


def check_random_state(random_state: None | int | np.random.Generator) -> int:
    """Normalise scikit-learn style ``random_state`` to an integer seed.

    ``None`` means 0 (crmlab never draws unseeded randomness); a Generator
    contributes one draw, so a caller's generator still determines the data.
    """
    if random_state is None:
        return 0
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be >= 0, got {random_state}")
        return int(random_state)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    raise TypeError(f"random_state must be None, an int or a numpy Generator, got {type(random_state).__name__}")
