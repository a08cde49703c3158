"""A real browser loads the Django example's admin login from `pybuildpack start`, styled."""

import pytest

from conftest import ARTIFACTS, REPO

pytestmark = pytest.mark.slow


def test_headless_chromium_sees_the_admin_stylesheet_applied(local):
    from harness.browser import Browser, chromium_path

    executable = chromium_path()
    assert executable, "Chromium is not installed: run scripts/install-test-deps (or make test)"
    app = local.copy_app(REPO / "examples" / "django")
    build = local.pybuildpack("build", str(app))
    assert build.returncode == 0, build.stdout
    server = local.serve(["start"], cwd=app)
    server.wait_until_serving("/admin/login/")

    browser = Browser(executable)
    try:
        page = browser.open(f"http://localhost:{server.port}/admin/login/")
        page.screenshot(ARTIFACTS / "local-django-admin-login.png")
        assert page.evaluate("document.title").startswith("Log in")
        sheets = page.evaluate("Array.from(document.styleSheets, s => s.href || '')")
        assert any(href.endswith("/static/admin/css/base.css") for href in sheets), sheets
        # Set only by the admin's base.css: `#header { display: flex; background: var(--header-bg) }`
        # (--header-bg is #417690 in the light theme); an unstyled div is a transparent block.
        header = page.evaluate("(() => { const s = getComputedStyle(document.getElementById('header'));"
                               " return [s.display, s.backgroundColor]; })()")
        assert header == ["flex", "rgb(65, 118, 144)"], header
        # And login.css: the form's box is 28em wide, not the page's full width.
        width = page.evaluate("document.getElementById('container').getBoundingClientRect().width")
        assert 250 < width < 600, width
    finally:
        browser.close()
    assert server.stops_on_sigterm(), server.log
