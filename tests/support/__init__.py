"""Helpers any test imports (`from support.tokens import partner_token`): pyproject's pytest
`pythonpath` puts tests/ on sys.path. One module per concern; fixtures that several folders use
(support/browser.py, support/partners.py) are registered by tests/conftest.py."""
