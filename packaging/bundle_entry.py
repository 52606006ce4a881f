"""Entry point of the PyInstaller bundle: the same ``main`` as the ``clickaudit`` command."""

from clickaudit.cli import main

raise SystemExit(main())
