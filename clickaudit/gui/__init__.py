"""The desktop app (PySide6): a thin layer over the same engine the command line uses."""
