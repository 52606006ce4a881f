"""Render the app icon's SVG source to PNGs at the sizes desktops and installers ask for.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/render_icons.py

Writes resources/icons/app/hicolor/<N>x<N>/apps/io.github.clickaudit.ClickAudit.png (the
freedesktop icon-theme layout, so packaging can copy the tree as it is) and clickaudit.ico.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons" / "app"
APP_ID = "io.github.clickaudit.ClickAudit"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    QGuiApplication(sys.argv)
    renderer = QSvgRenderer(str(ICONS / "clickaudit.svg"))
    if not renderer.isValid():
        print("render_icons: clickaudit.svg is not a valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        target = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(target)):
            print(f"render_icons: cannot write {target}", file=sys.stderr)
            return 1
    render(renderer, 256).save(str(ICONS / "clickaudit.ico"))
    print(f"wrote {len(SIZES)} PNG sizes and clickaudit.ico under {ICONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
