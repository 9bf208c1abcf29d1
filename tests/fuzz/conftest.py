"""Hypothesis profiles: 'fuzz-short' in the normal run, 'fuzz-long' (thousands of examples) with ANNPLAY_FUZZ_LONG=1."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("ANNPLAY_FUZZ_LONG", "") not in ("", "0")
EXAMPLES = int(os.environ.get("ANNPLAY_FUZZ_EXAMPLES", "3000" if LONG else "40"))

fuzz = settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
