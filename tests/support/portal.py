"""The partner portal's tests: the users' password, the screenshots' folder."""

import functools

from support import browser

PASSWORD = "correct-horse-battery-staple"

screenshot = functools.partial(browser.screenshot, folder="portal")
