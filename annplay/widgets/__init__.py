"""Widgets of the playground app: heat map, stats with sparklines, one-line controls."""
