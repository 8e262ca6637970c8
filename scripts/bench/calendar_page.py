"""The calendar week page in headless Chromium, as a person opens it: loads random weeks of random organizations
(the 1,000,000-post table calendar.sh fills) with the browser's cache off, so every load fetches the page with
its styles and scripts; reads Navigation Timing for when the page is usable (DOMContentLoaded has run: the
module scripts are deferred, so by then they have run too) and Resource Timing for the bytes transferred. Then
the same loads of a hello-world page, the floor of a navigation on this machine. Prints JSON lines.
Usage: calendar_page.py --api URL --token TOKEN --organizations FILE --hello URL [--loads N]"""
import argparse
import datetime
import random
import statistics

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from benchlib import report

parser = argparse.ArgumentParser()
parser.add_argument("--api", required=True)
parser.add_argument("--token", required=True)
parser.add_argument("--organizations", required=True)
parser.add_argument("--hello", required=True)
parser.add_argument("--loads", type=int, default=60)
arguments = parser.parse_args()

options = webdriver.ChromeOptions()
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
    options.add_argument(flag)
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)

TIMING = """
const navigation = performance.getEntriesByType('navigation')[0];
const resources = performance.getEntriesByType('resource');
return {
  usable: navigation.domContentLoadedEventEnd - navigation.startTime,
  loaded: navigation.loadEventEnd - navigation.startTime,
  bytes: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
  body: navigation.encodedBodySize + resources.reduce((sum, r) => sum + r.encodedBodySize, 0),
  html: navigation.encodedBodySize,
  resources: resources.length,
  posts: document.querySelectorAll('li.post').length,
  days: document.querySelectorAll('li.day').length,
};
"""


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def load(url):
    driver.get(url)
    # loadEventEnd is 0 until the load event's handlers have returned.
    for _ in range(100):
        timing = driver.execute_script(TIMING)
        if timing["loaded"] > 0:
            return timing
    return timing


try:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    # The service worker would answer from its own cache; the page is measured as the network serves it.
    driver.execute_cdp_cmd("Network.setBypassServiceWorker", {"bypass": True})
    organizations = [line.strip() for line in open(arguments.organizations) if line.strip()]
    driver.get(arguments.api + "/static/icon.svg")
    driver.add_cookie({"name": "arkyra_access", "value": arguments.token, "path": "/", "httpOnly": True})
    driver.add_cookie({"name": "arkyra_tz", "value": "UTC", "path": "/"})
    today = datetime.date.today()
    random.seed(7)
    pages = []
    for index in range(arguments.loads + 5):
        week = today + datetime.timedelta(days=7 * random.randint(0, 51))
        url = "%s/app/%s/calendar?view=week&date=%s" % (arguments.api, random.choice(organizations), week.isoformat())
        timing = load(url)
        if timing["days"] != 7:
            raise SystemExit("the calendar page did not show a week at %s (%s)" % (url, driver.title))
        if index >= 5:  # the first loads warm Chromium and the server's prepared statements
            pages.append(timing)
    floor = []
    for index in range(arguments.loads + 5):
        timing = load(arguments.hello)
        if index >= 5:
            floor.append(timing)
finally:
    driver.quit()

usable = [page["usable"] for page in pages]
report("calendar_page_usable_p50", statistics.median(usable), "ms")
report("calendar_page_usable_p99", percentile(usable, 0.99), "ms")
report("calendar_page_loaded_p50", statistics.median(page["loaded"] for page in pages), "ms")
report("calendar_page_bytes_transferred", max(page["bytes"] for page in pages) / 1024, "KiB")
report("calendar_page_html_bytes", max(page["html"] for page in pages) / 1024, "KiB")
report("calendar_page_requests", max(page["resources"] for page in pages) + 1, "requests")
report("calendar_page_posts_shown", statistics.median(page["posts"] for page in pages), "posts")
hello = "hello-world page in the same Chromium (floor)"
report("calendar_page_usable_p50", statistics.median(page["usable"] for page in floor), "ms", hello)
report("calendar_page_usable_p99", percentile([page["usable"] for page in floor], 0.99), "ms", hello)
report("calendar_page_bytes_transferred", max(page["bytes"] for page in floor) / 1024, "KiB", hello)
