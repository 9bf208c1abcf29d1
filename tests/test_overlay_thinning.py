"""The map's dot overlay counts occupied cells without np.unique, which would import numpy.ma (1.2 MiB) at start."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from annplay.core.fields import _distinct


@given(arrays(np.int64, st.integers(0, 300), elements=st.integers(-50, 50)))
def test_distinct_counts_as_np_unique_does(values: np.ndarray) -> None:
    assert _distinct(values) == np.unique(values).size


def test_the_first_picture_does_not_import_numpy_ma() -> None:
    code = (
        "import sys, asyncio\n"
        "from annplay.app import PlaygroundApp\n"
        "async def main():\n"
        "    app = PlaygroundApp()\n"
        "    async with app.run_test(size=(40, 20)) as pilot:\n"
        "        while not (getattr(app.screen, 'frames', 0) and app.screen.picture[0]):\n"
        "            await pilot.pause()\n"
        "    print('numpy.ma' in sys.modules)\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"
