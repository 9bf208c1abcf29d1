"""annplay's UI-free layer: sessions, lessons, pins, sweeps, files and the picture's fields.

Nothing here imports Textual or Rich; the CLI and the app both build on it.
"""
