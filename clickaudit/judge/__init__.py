"""Judgement: observations turned into findings from the one catalogue (clickaudit.findings)."""
