#!/usr/bin/env python3
"""The web console in a real browser (headless Chromium driven by Selenium): a real `faqbot serve`
on SQLite without Slack; an owner signs in through a `faqbot console link`, adds a topic,
publishes, asks in the playground and sees the answer; a reused link is refused. A screenshot of
each page is written to SCREENSHOT_DIR.
   console_browser_test.py FAQBOT LEXICON SCREENSHOT_DIR"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

faqbot, lexicon, shots = (os.path.abspath(a) for a in sys.argv[1:4])
os.makedirs(shots, exist_ok=True)
work = tempfile.mkdtemp()
database = f"sqlite:{work}/console.db"

with socket.socket() as s:  # a free port for the server
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
base = f"http://127.0.0.1:{port}"
env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
# No Slack: the publish DM goes to a closed local port instead of slack.com.
env.update(FAQBOT_PUBLIC_URL=base, FAQBOT_LEXICON=lexicon,
           FAQBOT_SLACK_API_URL="http://127.0.0.1:9/api/")

server = subprocess.Popen([faqbot, "serve", "--database", database, "--port", str(port),
                           "--bind", "127.0.0.1", "--lexicon", lexicon],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=work)
output = []  # the server's output, drained so that it never blocks on a full pipe


def drain():
    for line in server.stdout:
        output.append(line.decode("utf-8", "replace"))


threading.Thread(target=drain, daemon=True).start()
deadline = time.time() + 60
while not any("listening on" in line for line in output):
    assert server.poll() is None and time.time() < deadline, "serve did not start:\n" + "".join(output)
    time.sleep(0.1)


def link(owner="U0ALICE"):
    out = subprocess.run([faqbot, "console", "link", "--owner", owner, "--database", database],
                         env=env, check=True, capture_output=True, text=True).stdout
    url = out.strip().splitlines()[-1]
    assert url.startswith(base + "/console/login?token="), url
    return url


options = webdriver.ChromeOptions()
options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=412,915"):
    options.add_argument(flag)  # a phone-sized window
driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                          options=options)
# A lookup made while a click's navigation is still under way fails with "aborted by navigation"
# (a WebDriverException, not NoSuchElement) on a loaded machine: the waits look again.
wait = WebDriverWait(driver, 30, ignored_exceptions=(NoSuchElementException, WebDriverException))


def shot(name):
    driver.save_screenshot(os.path.join(shots, name + ".png"))


def text():
    return driver.find_element(By.TAG_NAME, "body").text


try:
    # Sign in: the link shows a button; pressing it sets the session and opens the topics.
    first = link()
    driver.get(first)
    shot("01-sign-in")
    driver.find_element(By.ID, "sign-in").click()
    wait.until(expected_conditions.presence_of_element_located((By.ID, "add-topic")))
    assert "U0ALICE" in text(), text()
    shot("02-topics-empty")

    # Add a topic.
    driver.find_element(By.ID, "question").send_keys("Where is the printer?")
    driver.find_element(By.ID, "answer").send_keys("Next to the kitchen, room 4.")
    driver.find_element(By.ID, "phrasings").send_keys("printer location\nhow do I print")
    driver.find_element(By.CSS_SELECTOR, "#add-topic button[type=submit]").click()
    wait.until(expected_conditions.url_contains("did=added"))
    assert "Topic added" in text(), text()
    shot("03-topic")

    # Publish, then wait for the live mark.
    driver.get(base + "/console/")
    assert "draft" in text()
    driver.find_element(By.XPATH, "//form[@action='/console/publish']//button").click()
    wait.until(expected_conditions.url_contains("did=publishing"))
    deadline = time.time() + 30
    while "✅ live" not in text():
        assert time.time() < deadline, "the topic never went live:\n" + text()
        time.sleep(0.3)
        driver.get(base + "/console/")
    shot("04-topics-live")

    # The playground answers as the live bot would, with the ranking and why.
    driver.get(base + "/console/playground")
    driver.find_element(By.ID, "q").send_keys("where can I find a printer")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit].primary").click()
    wait.until(expected_conditions.presence_of_element_located((By.ID, "ranking")))
    answer = driver.find_element(By.ID, "answer").text
    assert "Next to the kitchen, room 4." in answer, answer
    assert "same word" in driver.find_element(By.ID, "why").text
    shot("05-playground")

    for page in ("unanswered", "activity", "import", "tokens"):
        driver.get(f"{base}/console/{page}")
        assert driver.title.endswith("faqbot"), driver.title
        shot("06-" + page)

    # A used link is refused, and signing out ends the session.
    driver.get(first)
    driver.find_element(By.ID, "sign-in").click()
    wait.until(expected_conditions.presence_of_element_located((By.ID, "error")))
    assert "expired or was used already" in text(), text()
    shot("07-reused-link")
    driver.get(base + "/console/")
    driver.find_element(By.XPATH, "//form[@action='/console/logout']//button").click()
    wait.until(expected_conditions.url_to_be(base + "/console/login"))
    driver.get(base + "/console/")
    assert "Please sign in" in text(), text()
    shot("08-signed-out")
    print(f"console browser test passed; screenshots in {shots}")
except Exception:
    print("server output:\n" + "".join(output), file=sys.stderr)
    raise
finally:
    driver.quit()
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    shutil.rmtree(work, ignore_errors=True)
