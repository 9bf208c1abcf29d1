"""Hypothesis fuzzing of the CSV loader, the model loader and the engine's public API (issue 12).

Short runs in the normal suite; ``ANNPLAY_FUZZ_LONG=1`` runs thousands of examples per test.
"""
