"""The leaderboard page in a real headless Chromium: loads from file:// without console errors,
sorts on header clicks, opens documents, and shows hostile model output as text only.

Needs Debian's ``chromium`` (or ``$MEDVIE_CHROMIUM``) and the ``playwright`` Python package,
which drives that browser (``playwright install`` is never run: it would download one).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from leaderboard.build import BuildOptions, build_data
from leaderboard.collect import collect
from leaderboard.config import load_display
from leaderboard.render import write_leaderboard
from tests.test_leaderboard import XSS_IMG, XSS_SCRIPT, make_runs

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    for name in (os.environ.get("MEDVIE_CHROMIUM"), "chromium", "chromium-browser"):
        if name and (found := shutil.which(name)):
            return found
    return None


@contextmanager
def browser(width: int = 1400, height: int = 900) -> Iterator[Any]:
    """A fresh headless Chromium (own user-data-dir, offline) as a browser context."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="medvie-chromium-") as profile, \
            sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium_path(), headless=True, args=FLAGS,
            viewport={"width": width, "height": height}, offline=True,
        )
        try:
            yield ctx
        finally:
            ctx.close()


def open_page(ctx: Any, html: Path) -> Any:
    """Open ``html`` from file://, recording console errors, page errors and any request."""
    pg = ctx.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
          if m.type in ("error", "warning") else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("request", lambda r: problems.append(f"request: {r.url}")
          if not r.url.startswith(("file:", "data:")) else None)
    pg.goto(html.as_uri())
    pg.wait_for_selector("body[data-ready='1']", timeout=10_000)
    pg.problems = problems
    return pg


def _require_browser() -> None:
    if chromium_path() is None:
        pytest.skip("no Chromium: apt-get install chromium (or set MEDVIE_CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright package is missing: pip install playwright "
                    "(its own browser download is not needed)")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _require_browser()
    root = tmp_path_factory.mktemp("lbsite")
    runs, include = make_runs(root)
    opt = BuildOptions(resamples=200, include_paths=(include,), cache_dir=root / "thumbs")
    data = build_data(collect(runs, keep_records=opt.explorer_docs), load_display(), opt)
    return write_leaderboard(data, root / "site")["html"]


@pytest.fixture(scope="module")
def ctx() -> Iterator[Any]:
    _require_browser()
    with browser() as c:
        yield c


@pytest.fixture(scope="module")
def page(site: Path, ctx: Any) -> Any:  # runs are made before the browser starts its loop
    return open_page(ctx, site)


def _column(pg: Any, table: str, col: int) -> list[str]:
    return pg.eval_on_selector_all(
        f"#{table} tbody tr", f"rows => rows.map(r => r.children[{col}].textContent)")


def test_page_loads_without_console_errors(page):
    assert page.problems == []
    assert page.title() == "MedVIE-Bench leaderboard"
    rows = page.eval_on_selector_all("#overview tbody tr", "rows => rows.map(r => r.dataset.row)")
    assert set(rows) == {"rules", "oracle", "oracle+thinking", "xss-model"}
    heads = page.eval_on_selector_all("#overview thead th", "hs => hs.map(h => h.dataset.key)")
    assert heads == ["model", "g:medical", "g:general", "t:lab-mini", "t:sroie-sample"]
    assert page.locator("#sig-matrix td.pos, #sig-matrix td.neg").count() > 0
    assert page.locator("#pr-chart circle").count() == 3  # g:medical: no xss-model
    page.select_option("#pr-scope", "t:sroie-sample")
    assert page.locator("#pr-chart circle").count() == 4
    assert page.locator("#heatmap tbody tr").count() == 3


def test_click_header_sorts_rows(page):
    def scores() -> list[float]:
        cells = _column(page, "overview", 4)  # t:sroie-sample
        return [float(c[:5]) for c in cells if c[:1].isdigit()]

    page.click("#overview th[data-key='t:sroie-sample']")
    first = scores()
    assert len(first) == 4 and first == sorted(first, reverse=True)
    page.click("#overview th[data-key='t:sroie-sample']")
    assert scores() == sorted(first)
    page.click("#overview th[data-key='model']")
    names = _column(page, "overview", 0)
    assert names == sorted(names, key=str.lower)
    assert page.get_attribute("#overview th[data-key='model']", "aria-sort") == "ascending"


def test_explorer_opens_a_document(page):
    page.select_option("#explorer-task", "sroie-sample")
    page.select_option("#explorer-model", "oracle")
    page.click("#explorer-docs button[data-doc='013']")
    assert "document 013" in page.text_content("#doc-view h3")
    assert page.locator("#doc-view img.big").get_attribute("src").startswith("data:image/jpeg")
    assert page.locator("#doc-fields tbody tr").count() >= 4
    assert page.locator("#explorer-docs img.thumb").count() == 12


def test_hostile_output_is_text_and_never_runs(page):
    page.select_option("#explorer-task", "sroie-sample")
    page.select_option("#explorer-model", "xss-model")
    page.click("#explorer-docs button[data-doc='002']")
    raw = page.text_content("#raw-output")
    assert XSS_SCRIPT in raw and XSS_IMG in raw
    fields = page.text_content("#doc-fields")
    assert XSS_IMG in fields and XSS_SCRIPT in fields
    page.click("#explorer-docs button[data-doc='035']")  # an API error carrying markup
    assert XSS_IMG in page.text_content("#doc-view .err")
    page.select_option("#heat-task", "sroie-sample")  # the hostile key is a heatmap column
    assert '<img_src=x_onerror="window._pwned=1">' in page.text_content("#heatmap thead")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.scripts.length") == 2
    assert page.locator("img[src='x']").count() == 0
    assert page.problems == []


def test_empty_leaderboard_page(ctx, tmp_path):
    html = write_leaderboard(build_data(collect(tmp_path), load_display()), tmp_path / "o")["html"]
    pg = open_page(ctx, html)
    assert "No finished runs yet" in pg.text_content("#overview-wrap")
    assert "No runs yet" in pg.text_content("#ablation-wrap")
    assert pg.problems == []


def screenshot(out: Path) -> None:
    """The docs picture: the real rules baseline and simulated models on SROIE and lab-mini.

    ``python -m tests.test_leaderboard_browser docs/leaderboard.png`` (from the repository root).
    """
    from benchmark.models.registry import ModelRegistry
    from benchmark.runner import RunSettings, run_eval
    from benchmark.tasks import TaskRegistry
    from tests.test_leaderboard import Oracle, _spec, write_lab_task

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        include = write_lab_task(root / "tasks")
        reg, runs = TaskRegistry([include]), root / "runs"
        for task in (reg.get("sroie-sample"), reg.get("lab-mini")):
            run_eval(task, ModelRegistry().get("rules"), RunSettings(progress=False), runs)
            for name, p, price in (("sim-strong", 0.12, 2.0), ("sim-medium", 0.3, 0.4),
                                   ("sim-weak", 0.55, 0.1)):
                run_eval(task, _spec(name, price), RunSettings(progress=False), runs,
                         adapter=Oracle(name, p))
            run_eval(task, _spec("sim-medium", 0.4), RunSettings(progress=False, thinking=True),
                     runs, adapter=Oracle("sim-medium-t", 0.2, think=True))
        display = load_display().model_copy(
            update={"title": "MedVIE-Bench leaderboard (demo — simulated models)"})
        opt = BuildOptions(include_paths=(include,), cache_dir=root / "thumbs")
        data = build_data(collect(runs, keep_records=opt.explorer_docs), display, opt)
        html = write_leaderboard(data, root / "site")["html"]
        with browser(1360, 900) as ctx:
            pg = open_page(ctx, html)
            pg.set_viewport_size(
                {"width": 1360, "height": pg.evaluate("document.documentElement.scrollHeight")})
            bottom = pg.evaluate(
                "document.getElementById('significance').getBoundingClientRect().bottom")
            pg.screenshot(path=str(out), clip={"x": 0, "y": 0, "width": 1360, "height": bottom + 16})
            assert pg.problems == [], pg.problems


if __name__ == "__main__":
    import sys

    screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/leaderboard.png"))
