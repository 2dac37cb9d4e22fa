"""The operator admin's tests: the operator's password, the screenshots' folder."""

import functools

from support import browser

OPERATOR_PASSWORD = "operator-password-0123"

screenshot = functools.partial(browser.screenshot, folder="admin")
