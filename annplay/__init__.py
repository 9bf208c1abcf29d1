"""annplay: a terminal playground for neural networks.

The engine (:mod:`annplay.engine`) is a small MLP library on NumPy alone; the
playground (:mod:`annplay.app`) and the CLI (:mod:`annplay.cli`) drive it.
"""

__version__ = "0.1.0"
