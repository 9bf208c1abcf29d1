"""annplay: a terminal playground for neural networks.

The engine (:mod:`annplay.engine`) is a small MLP library on NumPy alone; the
playground (:mod:`annplay.app`) and the CLI (:mod:`annplay.cli`) drive it.
Importing annplay changes nothing in your process or its environment: the app's and the sweeps'
own loops limit BLAS threads with :func:`annplay.engine.threads.blas_threads`.
"""

__version__ = "0.1.0"
