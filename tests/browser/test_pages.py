"""The web chat and the operator console in headless Chromium, against the app running as
a real process: a customer orders through /chat; an agent in /console sees it, takes over
and writes; the customer sees the agent and the bot stays silent; the agent resumes the bot
and the next message is answered by it. Screenshots of both pages go to
tests/browser/screenshots/."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from api.settings import Settings
from tests.conftest import SCENARIOS, load_catalog, register, running_app
from tests.processes import app_process, ready
from tests.speech import needs_espeak, needs_voice, spoken

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
"""Saved by every run (not committed); docs/screenshots/ holds the README's copies."""
PHONE = "+15550113001"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Chromium and its driver: apt install chromium chromium-driver",
    ),
]


def _chromium(*extra_flags: str) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--window-size=1200,900",
        *extra_flags,
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    driver = _chromium()
    yield driver
    driver.quit()


def _wait_for_text(driver: WebDriver, element_id: str, text: str, seconds: float = 20) -> None:
    WebDriverWait(driver, seconds).until(
        ec.text_to_be_present_in_element((By.ID, element_id), text)
    )


def _say(driver: WebDriver, text: str) -> None:
    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    driver.find_element(By.CSS_SELECTOR, "#say button").click()


async def test_a_customer_orders_and_an_agent_takes_over_and_hands_back(
    settings: Settings, browser: WebDriver
) -> None:
    async with running_app(settings) as (client, runtime):
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        await register(client, PHONE, "Clara Web", "7 Rose Lane")
    with app_process(settings) as app:
        await ready(app.url)
        chat = browser.current_window_handle
        browser.get(f"{app.url}/chat")
        browser.find_element(By.ID, "phone").send_keys(PHONE)
        browser.find_element(By.CSS_SELECTOR, "#who button").click()
        _say(browser, "do you have red apples?")
        _wait_for_text(browser, "cards", "Red apples")
        _say(browser, "add 2 of the first one")
        _wait_for_text(browser, "cart", "Red apples")
        _say(browser, "checkout")
        _wait_for_text(browser, "log", "confirm")
        _say(browser, "yes")
        _wait_for_text(browser, "cart", "Empty")
        _say(browser, "do you have bananas?")
        _wait_for_text(browser, "cards", "Bananas")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "chat.png"))

        browser.switch_to.new_window("tab")
        console = browser.current_window_handle
        browser.get(f"{app.url}/console")
        browser.find_element(By.ID, "token").send_keys("test-operator-token")
        browser.find_element(By.CSS_SELECTOR, "#login button").click()
        _wait_for_text(browser, "list", "Clara Web")
        browser.find_element(By.CSS_SELECTOR, "#list tr.row").click()
        _wait_for_text(browser, "transcript", "do you have bananas?")
        browser.find_element(By.ID, "reply").send_keys("Hi Clara, this is Laura from the store.")
        browser.find_element(By.CSS_SELECTOR, "#write button[type=submit]").click()
        _wait_for_text(browser, "detail-status", "paused")
        _wait_for_text(browser, "list", "paused")
        browser.save_screenshot(str(SCREENSHOTS / "console.png"))

        browser.switch_to.window(chat)
        _wait_for_text(browser, "log", "Laura from the store")
        bot_replies = len(browser.find_elements(By.CSS_SELECTOR, "#log li.bot"))
        _say(browser, "thanks, Laura")
        _wait_for_text(browser, "log", "thanks, Laura")
        _wait_for_text(browser, "status", "agent")
        assert len(browser.find_elements(By.CSS_SELECTOR, "#log li.bot")) == bot_replies

        browser.switch_to.window(console)
        browser.find_element(By.ID, "resume").click()
        _wait_for_text(browser, "detail-status", "Bot active")

        browser.switch_to.window(chat)
        _say(browser, "do you have onions?")
        _wait_for_text(browser, "cards", "Onions")
        assert len(browser.find_elements(By.CSS_SELECTOR, "#log li.bot")) == bot_replies + 1


@needs_voice
@needs_espeak
async def test_a_customer_speaks_into_the_web_chat_and_hears_the_answer(
    settings: Settings, tmp_path: Path
) -> None:
    """Chromium's fake microphone plays a spoken question; the page records it, sends it to
    /api/chatbot/voice and shows the conversation and what was heard."""
    question = tmp_path / "question.wav"
    question.write_bytes(spoken("Do you have bananas?"))
    driver = _chromium(
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={question}",
        "--autoplay-policy=no-user-gesture-required",
    )
    try:
        async with running_app(settings) as (client, runtime):
            await load_catalog(runtime, SCENARIOS / "catalog.json")
            await register(client, PHONE, "Clara Web", "7 Rose Lane")
        with app_process(settings) as app:
            await ready(app.url)
            driver.get(f"{app.url}/chat")
            driver.find_element(By.ID, "phone").send_keys(PHONE)
            driver.find_element(By.CSS_SELECTOR, "#who button").click()
            mic = driver.find_element(By.ID, "mic")
            assert mic.is_displayed()
            mic.click()
            _wait_for_text(driver, "status", "Listening")
            await asyncio.sleep(2.5)  # the fake microphone says the question
            mic.click()
            _wait_for_text(driver, "heard", "bananas", seconds=60)
            _wait_for_text(driver, "log", "Bananas", seconds=20)
            log = driver.find_element(By.ID, "log").text
            assert "🎤" in log  # the customer's line is marked as spoken
    finally:
        driver.quit()
