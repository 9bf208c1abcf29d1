"""annplay: a terminal playground for neural networks.

The engine (:mod:`annplay.engine`) is a small MLP library on NumPy alone; the
playground (:mod:`annplay.app`) and the CLI (:mod:`annplay.cli`) drive it.
"""

import os as _os
import sys as _sys

__version__ = "0.1.0"

# annplay's matrices are small: a multi-threaded BLAS only adds overhead, and its spinning
# threads fight the UI thread (measured here: a 105×105 eigh took 43 ms threaded under load,
# 2 ms on one thread).  Ask for one BLAS thread unless the user chose, or NumPy is loaded already.
if "numpy" not in _sys.modules:
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        _os.environ.setdefault(_var, "1")
