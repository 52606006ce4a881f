"""Reports: JSON (the contract), text (for people at a terminal), and the formats built on them."""
