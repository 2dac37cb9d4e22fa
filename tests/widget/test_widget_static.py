"""The widget's files and the demo page, checked without a browser."""

import gzip
import re
from pathlib import Path

import jwt
import pytest

STATIC = Path(__import__("jackpot.widget").widget.__file__).parent / "static"
SCRIPT = STATIC / "scripts" / "widget-jackpot.js"
STYLES = STATIC / "styles" / "widget-jackpot.css"
BUDGET = 15_000  # "15 KB", read strictly (15 KiB would be 15 360)


def test_script_and_stylesheet_fit_in_15_kb_gzipped():
    sizes = {p.name: len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in (SCRIPT, STYLES)}
    assert sum(sizes.values()) <= BUDGET, sizes


def selectors(css: str):
    """Every selector of every style rule (inside @media too; keyframe steps left out)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@keyframes[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
    for prelude in re.findall(r"([^{}]+)\{[^{}]*\}", css):
        prelude = prelude.strip()
        if prelude.startswith("@"):
            continue
        yield from (s.strip() for s in prelude.split(",") if s.strip())


def test_every_css_selector_is_scoped_under_jackpot():
    found = list(selectors(STYLES.read_text()))
    assert len(found) > 100
    assert [s for s in found if not s.startswith("#jackpot")] == []
    assert "#jackpot .detail .informations" in found


def test_script_writes_text_only_and_loads_nothing_from_elsewhere():
    source = SCRIPT.read_text()
    assert "innerHTML" not in source and "outerHTML" not in source
    assert "insertAdjacentHTML" not in source and "document.write" not in source
    assert "eval(" not in source and "new Function" not in source
    # The only absolute URL is the SVG namespace; the stylesheet comes from the script's origin.
    assert set(re.findall(r"https?://[^\s'\"]+", source)) <= {
        "http://www.w3.org/2000/svg",
    }
    assert "'../styles/widget-jackpot.css', SRC" in source


def test_files_are_ascii_so_any_host_page_encoding_reads_them():
    # A script is decoded with the host page's charset when the server names none; accents are
    # written as \u escapes in the script, and the stylesheet has none.
    SCRIPT.read_bytes().decode("ascii")
    STYLES.read_bytes().decode("ascii")


def test_stylesheet_imports_nothing():
    css = STYLES.read_text()
    assert "@import" not in css and "url(" not in css and "@font-face" not in css


@pytest.fixture
def demo_setup(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return settings


def claims_of(response):
    token = re.search(r'var token="([^"]+)"', response.content.decode()).group(1)
    return token, jwt.decode(token, options={"verify_signature": False})


def test_demo_page_builds_a_fresh_token_on_every_visit(client, demo_setup):
    first, second = client.get("/demo/"), client.get("/demo/")
    assert first.status_code == second.status_code == 200
    assert "no-cache" in first["Cache-Control"] or "max-age=0" in first["Cache-Control"]
    (token1, claims), (token2, _) = claims_of(first), claims_of(second)
    assert token1 != token2
    assert {k: claims[k] for k in ("amount", "cp", "age", "gender", "userId")} == {
        "amount": 100,
        "cp": "75000",
        "age": 40,
        "gender": "M",
        "userId": "u-1234",
    }
    from jackpot.demo import ensure_demo_partner

    jwt.decode(token1, ensure_demo_partner()["apiSignature"], algorithms=["HS256"])
    page = first.content.decode()
    assert "window.jckptAsyncInit = function(){" in page
    assert 'src="/static/scripts/widget-jackpot.js" async defer' in page
    assert "#jackpot .detail .informations" in page


def test_demo_page_query_overrides_the_claims(client, demo_setup):
    _, claims = claims_of(client.get("/demo/?amount=42.5&cp=2A004&age=30&gender=F"))
    assert (claims["amount"], claims["cp"], claims["age"], claims["gender"]) == (
        42.5,
        "2A004",
        30,
        "F",
    )
    assert client.get("/demo/?amount=lots").status_code == 400
    assert client.get("/demo/?gender=X").status_code == 400


@pytest.mark.parametrize("mode", ["DEMO", "DEBUG", "TESTING"])
def test_demo_page_only_in_demo_debug_or_test_mode(client, demo_setup, mode):
    demo_setup.DEMO = demo_setup.DEBUG = demo_setup.TESTING = False
    assert client.get("/demo/").status_code == 404
    setattr(demo_setup, mode, True)
    assert client.get("/demo/").status_code == 200


def test_widget_files_are_served_as_static_files(client):
    for path, kind in [
        ("/static/scripts/widget-jackpot.js", "javascript"),
        ("/static/styles/widget-jackpot.css", "text/css"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert kind in response["Content-Type"]
