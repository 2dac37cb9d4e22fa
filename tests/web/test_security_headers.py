"""What every page tells browsers: a Content-Security-Policy, no sniffing, a referrer policy;
and nothing loaded from outside (no CDN, no missing favicon)."""

import re

import pytest
from django.core import checks

PAGES = ["/", "/v2/docs", "/v2/redoc", "/portal/login/", "/admin/login/", "/demo"]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_policy_that_allows_only_this_origin(client, db, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    scripts = directives["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", PAGES)
def test_inline_scripts_carry_the_responses_nonce(client, db, path):
    response = client.get(path, follow=True)
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", html)
    nonces = [n.strip("'").removeprefix("nonce-") for n in policy(response)["script-src"][1:]]
    for attributes in inline:
        found = re.search(r'nonce="([^"]+)"', attributes)
        assert found and found.group(1) in nonces, f"inline script without the nonce on {path}"


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_another_origin(client, db, path):
    html = client.get(path, follow=True).content.decode()
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "a page loads from outside"


def test_api_answers_skip_the_pages_policy_but_keep_nosniff(client, db):
    response = client.get("/v2/stores")
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_favicon_is_served(client, db):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


# Deployment warnings that are answered elsewhere, with the answer.
EXPLAINED = {
    # Django looks for its own class paths; ours are those classes subclassed to pass over API
    # calls (jackpot/web/middleware.py), and the pages' tests check the headers they send.
    "security.W002": "X-Frame-Options from web.middleware.XFrameOptionsMiddleware",
    "security.W003": "CSRF from web.middleware.CsrfViewMiddleware",
    # Joining the browsers' HSTS preload list binds every sub-domain of the operator's domain
    # for months: a decision for the operator, not a default.
    "security.W021": "HSTS preload is the operator's choice",
}


def test_the_deployment_checklist_has_no_unexplained_warning(settings, monkeypatch):
    """`manage.py check --deploy` as production runs: HTTPS behind a proxy, a real key."""
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set by the browser tests
    settings.DEBUG = False
    settings.SECRET_KEY = "x" * 64 + "production-key-from-the-environment"
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    found = {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert found == set(EXPLAINED)


def test_the_pages_csrf_and_frame_guards_are_djangos_own_classes(settings):
    from django.middleware.clickjacking import XFrameOptionsMiddleware
    from django.middleware.csrf import CsrfViewMiddleware
    from django.utils.module_loading import import_string

    classes = [import_string(path) for path in settings.MIDDLEWARE]
    assert any(issubclass(c, CsrfViewMiddleware) for c in classes)
    assert any(issubclass(c, XFrameOptionsMiddleware) for c in classes)
