"""Severity and category icons drawn as SVG at any size, so they stay crisp at high DPI."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from clickaudit.bundled import resource
from clickaudit.model import Severity

_SEVERITY_SVG = {
    Severity.ERROR: (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" '
        'fill="#d92d20"/><path d="M5 5l6 6M11 5l-6 6" stroke="#fff" stroke-width="2" '
        'stroke-linecap="round"/></svg>'
    ),
    Severity.WARNING: (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M8 1.5l7 13H1z" '
        'fill="#f79009"/><path d="M8 6v4" stroke="#fff" stroke-width="2" stroke-linecap="round"/>'
        '<circle cx="8" cy="12.2" r="1.1" fill="#fff"/></svg>'
    ),
    Severity.INFO: (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" '
        'fill="#667085"/><path d="M8 7v5" stroke="#fff" stroke-width="2" stroke-linecap="round"/>'
        '<circle cx="8" cy="4.6" r="1.1" fill="#fff"/></svg>'
    ),
}
OK_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" '
    'fill="#12b76a"/><path d="M4.8 8.3l2.2 2.2 4.3-4.6" stroke="#fff" stroke-width="2" fill="none" '
    'stroke-linecap="round" stroke-linejoin="round"/></svg>'
)


def _icon_from_svg(svg: str) -> QIcon:
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    icon = QIcon()
    for size in (16, 24, 32, 48, 64):
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(QPixmap.fromImage(image))
    return icon


@cache
def severity_icon(severity: Severity | None) -> QIcon:
    return _icon_from_svg(OK_SVG if severity is None else _SEVERITY_SVG[severity])


@cache
def app_icon() -> QIcon:
    return QIcon(str(resource("icons", "app", "clickaudit.svg")))
