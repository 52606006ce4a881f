"""``python -m clickaudit``: the same as the ``clickaudit`` command."""

from clickaudit.cli import main

raise SystemExit(main())
