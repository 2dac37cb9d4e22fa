"""One Playwright for the whole test run, whichever conftest asks for it first.

Playwright's sync API refuses to start while another sync Playwright runs in the same thread,
and three test folders (browser/, admin/, portal/) each keep a session-scoped browser. Installed
by the portal and admin conftests, this makes `sync_playwright()` hand every caller the same
running Playwright (their own `stop()` does nothing; it stops when the process exits), so the
folders' browsers can live side by side. Each caller still launches and closes its own browser.

The same code is in tests/admin/shared_playwright.py: test folders are not packages, and the
shared instance lives on the playwright module itself, so whichever copy runs first wins.
"""

import atexit


def install() -> None:
    try:
        import playwright.sync_api as sync_api
    except ImportError:  # the browser tests skip themselves
        return
    if getattr(sync_api, "_shared_instance_installed", False):
        return
    real = sync_api.sync_playwright
    state = {"playwright": None}

    class Shared:
        """What `sync_playwright().start()` returns: the shared Playwright, never stopped early."""

        def __init__(self, playwright):
            self._playwright = playwright

        def __getattr__(self, name):
            return getattr(self._playwright, name)

        def stop(self):
            pass

    class Starter:
        def start(self):
            if state["playwright"] is None:
                state["playwright"] = real().start()
                atexit.register(_stop, state)
            return Shared(state["playwright"])

        def __enter__(self):
            return self.start()

        def __exit__(self, *exc):
            return False

    sync_api.sync_playwright = Starter
    sync_api._shared_instance_installed = True


def _stop(state) -> None:
    try:
        state["playwright"].stop()
    except Exception:  # noqa: BLE001,S110 - the process is exiting anyway
        pass
