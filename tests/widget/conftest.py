"""The widget in Debian's Chromium (support/browser.py) against pytest-django's live server."""

import functools

import pytest

from support.widget import Platform


@pytest.fixture
def new_page(new_page):
    """support.browser's pages, asking for reduced motion unless a test says otherwise."""
    return functools.partial(new_page, reduced_motion="reduce")


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def platform(live_server, transactional_db, settings, tmp_path):
    """The live server with the demo catalogue, the demo partner and the harness pages."""
    from jackpot.catalog import importer
    from jackpot.demo import ensure_demo_partner
    from jackpot.vouchers import catalogue_import

    settings.ROOT_URLCONF = "support.widget_harness"
    settings.DATA_DIR = tmp_path
    catalogue_import.import_catalog(importer.load_file(importer.DEMO_CATALOG))
    ensure_demo_partner(live_server.url)  # the page's Origin, port included, is the demo's
    return Platform(live_server.url)
