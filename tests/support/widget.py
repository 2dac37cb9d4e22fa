"""The widget's browser tests: the demo partner's page set up, partner pages that embed it."""

import json
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass
class Platform:
    """The live server with the demo catalogue and the harness pages (support/widget_harness)."""

    url: str

    def token(self, amount="100", **claims) -> str:
        """A token of the demo partner, signed as the demo page signs its own."""
        from jackpot.tokens.samples import build_token

        claims = {"cp": "75000", "age": 40, "gender": "M", "userId": "u-1234", **claims}
        return build_token("demo", amount, **claims)

    def harness(self, name, token, options=None, **query) -> str:
        """The URL of tests/widget/harness/<name>.html with this token (and options)."""
        params = {"token": token, **query}
        if options is not None:
            params["options"] = json.dumps(options)
        return f"{self.url}/harness/{name}/?{urlencode(params)}"


def text(locator) -> str:
    """Visible text with Intl's no-break spaces (before € and %) made plain spaces."""
    return locator.inner_text().replace("\xa0", " ").replace("\u202f", " ")
