"""The window's parts: preview, inspector, domain panel, history, settings."""
