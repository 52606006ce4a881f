"""The email preview: links become choices in the app, nothing navigates away, nothing remote
is fetched unless the user loads images, and a body too big for setHtml still shows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEnginePage

from clickaudit.gui.preview_html import LINK_PREFIX
from clickaudit.gui.widgets.preview import SET_HTML_LIMIT, EmailPreview

Nav = QWebEnginePage.NavigationType


@pytest.fixture
def preview(qtbot) -> EmailPreview:  # type: ignore[no-untyped-def]
    made = EmailPreview()
    qtbot.addWidget(made)
    return made


def test_clicking_a_link_in_the_preview_chooses_that_link_and_goes_nowhere(  # type: ignore[no-untyped-def]
    qtbot, preview: EmailPreview
) -> None:
    with qtbot.waitSignal(preview.link_clicked) as blocker:
        accepted = preview.page().acceptNavigationRequest(
            QUrl(f"{LINK_PREFIX}17"), Nav.NavigationTypeLinkClicked, True
        )
    assert accepted is False and blocker.args == [17]


def test_a_link_or_form_in_the_email_never_navigates_the_preview(  # type: ignore[no-untyped-def]
    qtbot, preview: EmailPreview
) -> None:
    page = preview.page()
    with qtbot.assertNotEmitted(preview.link_clicked):
        assert not page.acceptNavigationRequest(
            QUrl("https://tracker.example/click"), Nav.NavigationTypeLinkClicked, True
        )
        assert not page.acceptNavigationRequest(
            QUrl("https://tracker.example/form"), Nav.NavigationTypeFormSubmitted, True
        )
        assert not page.acceptNavigationRequest(
            QUrl("https://tracker.example/refresh"), Nav.NavigationTypeRedirect, True
        )


def test_the_previews_own_content_may_load(preview: EmailPreview) -> None:
    page = preview.page()
    assert page.acceptNavigationRequest(QUrl("about:blank"), Nav.NavigationTypeOther, True)
    assert page.acceptNavigationRequest(QUrl("data:text/html,x"), Nav.NavigationTypeOther, True)


def test_remote_images_are_blocked_and_counted_until_the_user_loads_them(  # type: ignore[no-untyped-def]
    qtbot, preview: EmailPreview
) -> None:
    # loopback's discard port: a request that got through would reach nothing
    html = '<img src="http://127.0.0.1:9/open.gif"><p>hello</p>'
    with qtbot.waitSignal(preview.loadFinished, timeout=20_000):
        preview.show_html(html)
    qtbot.waitUntil(lambda: bool(preview.blocker.blocked), timeout=10_000)
    assert preview.blocker.blocked == ["http://127.0.0.1:9/open.gif"]
    assert preview.blocker.allowed == []
    with qtbot.waitSignal(preview.loadFinished, timeout=20_000):
        preview.set_load_images(True)  # reloads: the blocked list starts again
    qtbot.waitUntil(lambda: bool(preview.blocker.allowed), timeout=10_000)
    assert preview.blocker.blocked == []


def test_a_body_too_big_for_set_html_is_shown_from_a_private_file(  # type: ignore[no-untyped-def]
    qtbot, preview: EmailPreview
) -> None:
    html = "<p>" + "x" * SET_HTML_LIMIT + "</p>"
    with qtbot.waitSignal(preview.loadFinished, timeout=30_000) as blocker:
        preview.show_html(html)
    assert blocker.args == [True]
    assert preview.url().isLocalFile()
    scratch = preview._folder
    assert scratch is not None and (scratch / "preview.html").stat().st_size > SET_HTML_LIMIT
