"""`python -m annplay`: the same as the `annplay` console script."""

from annplay.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
