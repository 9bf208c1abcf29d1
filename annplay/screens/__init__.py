"""Screens of the playground app: the playground itself and the help screen."""
