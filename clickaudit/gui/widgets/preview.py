"""The email preview: the HTML body rendered by QtWebEngine with nothing fetched.

Privacy first: an open pixel fired by the auditor is a false open, so JavaScript is off and an
interceptor refuses every network request unless the user presses "Load images" (and then only
images). The HTML shown is a copy in which each link's href is rewritten to an inert address
that names the link, so a click in the preview selects the link in the table instead of
navigating, and the selected link can be highlighted.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineScript,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from clickaudit.gui.preview_html import LINK_PREFIX, preview_html
from clickaudit.model import Email, Link

SET_HTML_LIMIT = 1_500_000  # setHtml refuses content over 2 MB (encoded); use a file beyond
_BLOCKED_SCHEMES = {"http", "https", "ftp", "ws", "wss"}


class RemoteBlocker(QWebEngineUrlRequestInterceptor):
    """Refuses remote requests; counts them so the window can say "3 remote images blocked"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.allow_images = False
        self.blocked: list[str] = []
        self.allowed: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        if url.scheme() not in _BLOCKED_SCHEMES:
            return
        if url.toString().startswith(LINK_PREFIX):
            info.block(True)
            return
        is_image = info.resourceType() == QWebEngineUrlRequestInfo.ResourceType.ResourceTypeImage
        if self.allow_images and is_image:
            self.allowed.append(url.toString())
            return
        self.blocked.append(url.toString())
        info.block(True)


class PreviewPage(QWebEnginePage):
    link_clicked = Signal(int)

    def acceptNavigationRequest(
        self, url: QUrl | str, navigation_type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        text = url.toString() if isinstance(url, QUrl) else str(url)
        if text.startswith(LINK_PREFIX):
            number = text.removeprefix(LINK_PREFIX).split("?", 1)[0]
            if number.isdigit():
                self.link_clicked.emit(int(number))
            return False
        # setHtml/load of our own copy are "typed" or local; anything else never leaves the preview
        return (
            navigation_type == QWebEnginePage.NavigationType.NavigationTypeTyped
            or text.startswith(("data:", "file:", "about:"))
        )


class EmailPreview(QWebEngineView):
    """Shows one HTML part; ``link_clicked(id)`` when the user clicks a link in it."""

    link_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Qt's default profile is off-the-record (nothing stored on disk) and Qt ends it in the
        # right order at exit; a profile of our own outliving or dying before its pages crashes
        # QtWebEngine at shutdown. Blocking is per page, so each preview decides for itself.
        profile = QWebEngineProfile.defaultProfile()
        self.blocker = RemoteBlocker(self)
        page = PreviewPage(profile, self)
        page.setUrlRequestInterceptor(self.blocker)
        page.link_clicked.connect(self.link_clicked)
        self.setPage(page)
        settings = page.settings()
        settings.setAttribute(QWebEngineSettings.WebAttribute.JavascriptEnabled, False)
        settings.setAttribute(QWebEngineSettings.WebAttribute.AutoLoadImages, True)
        settings.setAttribute(
            QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, False
        )
        settings.setAttribute(QWebEngineSettings.WebAttribute.PluginsEnabled, False)
        self._folder: Path | None = None
        self._html = ""

    def show_email(self, email: Email, links: tuple[Link, ...]) -> None:
        self.show_html(preview_html(email, links))

    def show_html(self, html: str) -> None:
        self._html = html
        self.blocker.blocked.clear()
        data = html.encode("utf-8")
        base = QUrl("about:blank")
        if len(data) < SET_HTML_LIMIT:
            self.setHtml(html, base)
        else:
            path = self._scratch() / "preview.html"
            path.write_bytes(data)
            self.load(QUrl.fromLocalFile(str(path)))

    def set_load_images(self, allowed: bool) -> None:
        """The user chose to load remote images (this fires open pixels): reload the preview."""
        self.blocker.allow_images = allowed
        if self._html:
            self.show_html(self._html)

    def highlight(self, link_id: int) -> None:
        """Outline the link in the page and scroll to it (runs outside the page's own world)."""
        script = (
            "(function(){var old=document.querySelectorAll('[data-clickaudit-selected]');"
            "for(var i=0;i<old.length;i++){old[i].style.outline='';"
            "old[i].removeAttribute('data-clickaudit-selected');}"
            f'var el=document.querySelector(\'a[href="{LINK_PREFIX}{link_id}"],'
            f'area[href="{LINK_PREFIX}{link_id}"]\');'
            "if(el){el.style.outline='3px solid #f79009';el.style.outlineOffset='2px';"
            "el.setAttribute('data-clickaudit-selected','1');el.scrollIntoView({block:'center'});}})()"
        )
        self.page().runJavaScript(script, QWebEngineScript.ScriptWorldId.ApplicationWorld)

    def _scratch(self) -> Path:
        """A private folder for bodies too big for setHtml, removed with the view."""
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="clickaudit-preview-"))
            weakref.finalize(self, shutil.rmtree, self._folder, True)
        return self._folder
