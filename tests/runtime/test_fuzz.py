"""A modest run of the read-path fuzzer (`tests/fuzz.py`; `make fuzz` runs many more cases).

Every recorded and generated response, then mutations of them, through the client's response
path and `decode`: a fully typed result or a documented exception, nothing else.
"""

from __future__ import annotations

from tests.fuzz import run, seeds

CASES = 600


def test_every_seed_reads_as_a_fully_typed_result() -> None:
    pool = seeds()
    assert len(pool) >= 100
    outcome = run(len(pool))  # the unmutated seeds come first
    assert outcome.failures == []
    faults = sum(1 for seed in pool if b"Fault>" in seed.data)
    assert faults >= 3
    # a fault is raised by the client (typed, by ErrorID) and decoded as a fault by decode
    assert outcome.typed == 2 * len(pool) - faults
    assert sum(outcome.refused.values()) == faults


def test_mutated_responses_are_typed_results_or_documented_errors() -> None:
    outcome = run(CASES, seed=7)
    assert outcome.failures == []
    assert outcome.cases == CASES
    assert outcome.refused.get("ProtocolError", 0) > 50  # the mutations did bite
