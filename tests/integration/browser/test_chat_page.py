"""The chat page in a real headless browser: Debian's chromium, driven by Playwright.

The page is served by ``create_app(..., ui=True)`` on a real server, its agents talk to
the emulator. A prompt is typed, the answer streams in, the tool call and its result
are shown, and a call that needs approval is approved. Screenshots go to
``.test-artifacts/browser/``. Chromium comes from apt (``scripts/test-services.sh``
installs it); this test fails, never skips, when it cannot start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from starlette.applications import Starlette

from locus.emulator import Emulator
from locus.serve import create_app
from tests.integration.serve.conftest import ServerThread
from tests.integration.serve.emulator_agent import adder, desk, gated_desk, operator

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / ".test-artifacts" / "browser"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test-services.sh start (apt chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 720})
    opened = context.new_page()
    yield opened
    context.close()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_prompt_streams_an_answer_with_its_tool_call_then_a_call_is_approved(
    emu: Emulator, serve: Callable[[Starlette], ServerThread], page: Page
) -> None:
    server = serve(create_app({"adder": adder(emu.info), "ops": operator(emu.info)}, ui=True))
    emu.set_latency(latency=0.0, chunk_delay=0.25)  # the answer arrives word by word
    page.goto(server.url + "/")
    expect(page.locator("#agent option")).to_have_count(2)
    expect(page.locator("#agent-info")).to_contain_text("add_two_numbers")

    page.fill("#prompt", "Use the add_two_numbers tool to add 7 and 35.")
    page.click("#send")
    # streamed: part of the answer shows while the run is still going (Send disabled)
    page.wait_for_function(
        "() => { const m = document.querySelector('.msg.assistant');"
        " return m && m.textContent.length > 0 && document.getElementById('send').disabled; }"
    )
    _shot(page, "1-streaming")
    call = page.locator('.tool-call[data-tool="add_two_numbers"]')
    expect(call).to_contain_text('{"a": 7, "b": 35}')
    expect(call.locator(".tool-result")).to_have_text("→ 42")
    expect(page.locator("#send")).to_be_enabled()
    expect(page.locator(".msg.assistant").last).to_contain_text("42")
    expect(page.locator("#threads li")).to_have_count(1)
    _shot(page, "2-answered")

    page.select_option("#agent", "ops")
    page.fill("#prompt", "Use the delete_file tool to delete report.txt")
    page.click("#send")
    approval = page.locator(".approval")
    expect(approval).to_contain_text("delete_file")
    expect(page.locator('.tool-call[data-tool="delete_file"] .tool-result')).to_have_count(0)
    _shot(page, "3-approval")
    approval.locator("button.approve").click()
    expect(approval).to_contain_text("Approved.")
    result = page.locator('.tool-call[data-tool="delete_file"] .tool-result')
    expect(result).to_contain_text("deleted")
    expect(page.locator(".msg.assistant").last).to_contain_text("deleted")
    _shot(page, "4-approved")


def test_a_sub_agents_tool_call_shows_inside_the_calling_call(
    emu: Emulator, serve: Callable[[Starlette], ServerThread], page: Page
) -> None:
    server = serve(create_app({"desk": desk(emu.info)}, ui=True))
    page.goto(server.url + "/")
    expect(page.locator("#agent-info")).to_contain_text("clerk")
    page.fill("#prompt", "Use clerk: how many pens are in stock?")
    page.click("#send")
    outer = page.locator('#messages > .tool-call[data-tool="clerk"]')
    inner = outer.locator('.tool-call[data-tool="stock"][data-agent="clerk"]')
    expect(inner.locator(":scope > .tool-result")).to_have_text("→ 12")
    expect(inner).to_contain_text("clerk › ⚙ stock")
    expect(outer.locator(":scope > .tool-result")).to_have_text("→ The result of stock is 12.")
    expect(page.locator("#send")).to_be_enabled()
    expect(page.locator(".msg.assistant").last).to_contain_text("The result of clerk is")
    # the clerk's own answer is its call's result, not a message of the conversation
    expect(page.locator(".msg.assistant")).to_have_count(1)
    expect(page.locator("#messages > .tool-call")).to_have_count(1)
    _shot(page, "5-sub-agent")


def test_a_sub_agents_call_is_approved_and_runs_inside_the_calling_call(
    emu: Emulator, serve: Callable[[Starlette], ServerThread], page: Page
) -> None:
    server = serve(create_app({"desk": gated_desk(emu.info)}, ui=True))
    page.goto(server.url + "/")
    expect(page.locator("#agent-info")).to_contain_text("clerk")
    page.fill("#prompt", "Use clerk: delete the file /tmp/x")
    page.click("#send")
    approval = page.locator(".approval")
    expect(approval).to_contain_text('clerk › delete_file {"path":"x"}')
    _shot(page, "6-sub-agent-approval")
    approval.locator("button.approve").click()
    expect(approval).to_contain_text("Approved.")
    outer = page.locator('#messages > .tool-call[data-tool="clerk"]')
    expect(outer).to_have_count(1)  # the resumed run's start of the same call: one card
    inner = outer.locator('.tool-call[data-tool="delete_file"][data-agent="clerk"]')
    expect(inner.locator(".tool-result")).to_contain_text("deleted x")
    expect(outer.locator(":scope > .tool-result")).to_contain_text("deleted x")
    _shot(page, "7-sub-agent-approved")
