"""The web app in headless Chromium, as a newcomer uses it: sign up, create an organization, connect the
sandbox's Mastodon account, compose a thread with an image uploaded from the composer (its preview card, a channel's own text), see it on the calendar, move it to the next day with the
keyboard and to another by drag and drop (a drop on a day gone by is rolled back with the API's reason), send a post now and watch it turn published live, invite by link on the team page, create an API key, upload an image to the media library, read the analytics,
read the audit log and the account's sessions, then switch to Arabic and check the layout runs right
to left on every main screen; axe-core scans each screen on the way (no serious or critical violation). Usage: web_flow.py API_URL MASTODON_INSTANCE_URL MASTODON_TOKEN. Exits non-zero on the first failure."""
import datetime
import os
import struct
import sys
import tempfile
import uuid
import zlib

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as seen
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

api, instance, token = sys.argv[1:4]

options = webdriver.ChromeOptions()
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-US", "--window-size=1400,1000"):
    options.add_argument(flag)
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 15)
# `make screenshots` sets this: each main screen is saved there as a PNG.
shots = os.environ.get("ARKYRA_SCREENSHOTS")


def shoot(name):
    if shots:
        os.makedirs(shots, exist_ok=True)
        driver.save_screenshot(os.path.join(shots, name + ".png"))


def scan(screen):
    """axe-core on the page as it is: no serious or critical violation."""
    axe = Axe(driver)
    axe.inject()
    found = [v for v in axe.run()["violations"] if v.get("impact") in ("serious", "critical")]
    details = "; ".join("%s (%s): %s" % (v["id"], v["impact"], ", ".join(n["target"][0] for n in v["nodes"][:3])) for v in found)
    check(not found, "axe finds no serious or critical violation on " + screen + (": " + details if details else ""))


def png(width, height):
    """A real PNG: a blue-to-orange gradient."""
    rows = b"".join(b"\x00" + b"".join(bytes((30 + x * 2, 80, 200 - y * 2)) for x in range(width)) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def check(condition, what):
    if not condition:
        raise AssertionError(what + " (at " + driver.current_url + ")")
    print("ok:", what)


try:
    driver.get(api + "/app")
    check("/login" in driver.current_url, "a newcomer is sent to log in")
    scan("login")
    driver.find_element(By.LINK_TEXT, "Create one").click()
    scan("sign-up")
    driver.find_element(By.ID, "name").send_keys("Ada")
    driver.find_element(By.ID, "email").send_keys("ada-%s@example.com" % uuid.uuid4().hex[:6])
    driver.find_element(By.ID, "password").send_keys("correct horse")
    driver.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait.until(seen.presence_of_element_located((By.ID, "org-name"))).send_keys("Acme")
    driver.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "[data-calendar]")))
    check(len(driver.find_elements(By.CSS_SELECTOR, "li.day")) == 7, "the calendar shows a week")
    scan("the week")
    check(driver.execute_script("return document.documentElement.classList.contains('js')"), "the page's script ran")

    driver.find_element(By.LINK_TEXT, "Channels").click()
    driver.find_element(By.ID, "mastodon-instance").send_keys(instance)
    driver.find_element(By.ID, "mastodon-token").send_keys(token)
    driver.find_element(By.ID, "mastodon-token").submit()
    notice = wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "p.notice[role=status]")))
    shoot("channels-en")
    scan("channels")
    check("is connected" in notice.text, "the channel is connected: " + notice.text)

    driver.find_element(By.LINK_TEXT, "New post").click()
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "input[name=channel]"))).click()
    content = driver.find_element(By.ID, "content")
    content.send_keys("Hello from Chromium 👋")
    # The counter is the API's count for the ticked channel (Mastodon: 500 at most).
    # It answers once per change (the tick first, then the text), so wait for the count of the text.
    try:
        wait.until(lambda d: "21 / 500" in d.find_element(By.CSS_SELECTOR, "[data-counter-for]").text)
    except TimeoutException:
        pass
    check("21 / 500" in driver.find_element(By.CSS_SELECTOR, "[data-counter-for]").text,
          "the counter counts as Mastodon does: " + driver.find_element(By.CSS_SELECTOR, "[data-counter-for]").text)
    driver.find_element(By.CSS_SELECTOR, "[data-add-item]").click()
    items = driver.find_elements(By.CSS_SELECTOR, "textarea[name=thread]")
    check(len(items) == 2, "a thread item was added")
    items[0].send_keys("the second post of the thread")
    # The preview: a card for the ticked channel, with the text and the thread as the channel will show them.
    card = wait.until(seen.visibility_of_element_located((By.CSS_SELECTOR, ".preview-card.preview-mastodon")))
    check("Hello from Chromium" in card.text and "the second post of the thread" in card.text, "the preview shows the post: " + card.text)
    # A text of its own for the ticked channel: the preview follows it; emptied, the main text is back.
    driver.find_element(By.CSS_SELECTOR, "[data-override-for]:not([hidden]) summary").click()
    own = driver.find_element(By.CSS_SELECTOR, "[data-override-for]:not([hidden]) textarea")
    own.send_keys("Only for Mastodon")
    wait.until(lambda d: "Only for Mastodon" in d.find_element(By.CSS_SELECTOR, ".preview-card").text)
    check("Hello from Chromium" not in driver.find_element(By.CSS_SELECTOR, ".preview-card").text, "the channel's own text replaces the main one in its preview")
    own.send_keys(Keys.CONTROL, "a")
    own.send_keys(Keys.DELETE)
    wait.until(lambda d: "Hello from Chromium" in d.find_element(By.CSS_SELECTOR, ".preview-card").text)
    # An image uploaded from the composer (its progress bar, the API's media route) comes back ticked.
    picture = os.path.join(tempfile.mkdtemp(), "thread-picture.png")
    with open(picture, "wb") as out:
        out.write(png(80, 60))
    driver.find_element(By.ID, "compose-file").send_keys(picture)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".preview-card .preview-media img"))
    check(len(driver.find_elements(By.CSS_SELECTOR, "input[name=media]:checked")) == 1, "the uploaded image is ticked in the picker and in the preview")
    # Tomorrow at 10:00 in the browser's zone; the form's value is a wall time.
    driver.execute_script("""
      const d = new Date(Date.now() + 86400000);
      const pad = (n) => String(n).padStart(2, '0');
      document.getElementById('publish-at').value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T10:00`;
    """)
    shoot("composer-en")
    scan("the composer")
    driver.find_element(By.CSS_SELECTOR, "button[value=schedule]").click()
    saved = wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "li.post")))
    check("Hello from Chromium" in saved.text, "the post is on the calendar")
    check(driver.execute_script("return localStorage.length") == 0, "the local draft is cleared once saved")
    media = driver.execute_async_script("""
      const done = arguments[arguments.length - 1];
      const organization = document.querySelector('[data-calendar]').dataset.organization;
      const from = new Date(Date.now() - 86400000).toISOString(), to = new Date(Date.now() + 7 * 86400000).toISOString();
      fetch(`/api/v1/organizations/${organization}/posts?from=${from}&to=${to}`).then((r) => r.json())
        .then((j) => done(j.posts.map((p) => p.media_ids.length)), (e) => done(String(e)));
    """)
    check(media == [1], "the thread's first post carries the image: %s" % media)
    day = saved.find_element(By.XPATH, "ancestor::*[@data-date][1]").get_attribute("data-date")

    driver.get(driver.current_url.split("?")[0] + "?view=month&date=" + day)
    card = wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "li.post[draggable=true]")))
    shoot("calendar-month-en")
    scan("the month")
    card.send_keys(Keys.ALT, Keys.ARROW_RIGHT)
    wait.until(lambda d: "moved" in d.find_element(By.CSS_SELECTOR, "[data-status]").text)
    card = driver.find_element(By.CSS_SELECTOR, "li.post")
    moved_to = card.find_element(By.XPATH, "ancestor::*[@data-date][1]").get_attribute("data-date")
    check(moved_to != day, "the post moved from %s to %s" % (day, moved_to))
    driver.refresh()
    again = wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "li.post")))
    check(again.find_element(By.XPATH, "ancestor::*[@data-date][1]").get_attribute("data-date") == moved_to, "the move was saved")
    # Dragged with the mouse's events (HTML5 drag and drop: dragstart on the card, dragover and drop on a day).
    drag = """
      const [card, target] = arguments;
      const data = new DataTransfer();
      card.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: data}));
      target.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: data}));
      target.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: data}));
    """
    cells = {c.get_attribute("data-date"): c for c in driver.find_elements(By.CSS_SELECTOR, "[data-date]")}
    start = datetime.date.fromisoformat(moved_to)
    later = next((d for d in ((start + datetime.timedelta(days=n)).isoformat() for n in (2, 1, -1)) if d in cells and d > datetime.date.today().isoformat()), None)
    driver.execute_script(drag, again, cells[later])
    wait.until(lambda d: "moved" in d.find_element(By.CSS_SELECTOR, "[data-status]").text)
    driver.refresh()
    dropped = wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "li.post")))
    check(dropped.find_element(By.XPATH, "ancestor::*[@data-date][1]").get_attribute("data-date") == later, "the post dragged to %s stays there" % later)
    moved_to = later
    # Dropped on a day gone by, the API refuses: the card goes back and the page says why.
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    cells = {c.get_attribute("data-date"): c for c in driver.find_elements(By.CSS_SELECTOR, "[data-date]")}
    if yesterday in cells:
        driver.execute_script(drag, dropped, cells[yesterday])
        wait.until(lambda d: "must be in the future" in d.find_element(By.CSS_SELECTOR, "[data-status]").text)
        check(dropped.find_element(By.XPATH, "ancestor::*[@data-date][1]").get_attribute("data-date") == moved_to, "a refused move is rolled back")

    calendar_url = driver.current_url.split("?")[0]
    # A post sent now: the worker publishes it while the calendar stays open, and the page turns it published
    # over the event stream, without a reload; the header counts the new notification.
    driver.find_element(By.LINK_TEXT, "New post").click()
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "input[name=channel]"))).click()
    driver.find_element(By.ID, "content").send_keys("Live from Chromium")
    driver.find_element(By.CSS_SELECTOR, "button[value=now]").click()
    card = wait.until(lambda d: next((c for c in d.find_elements(By.CSS_SELECTOR, "li.post") if "Live from Chromium" in c.text), None))
    check("state-published" not in card.get_attribute("class"), "the post is not published yet when the page opens: " + card.get_attribute("class"))
    driver.execute_script("window.arkyraStillHere = true")
    wait.until(lambda d: d.execute_script("return document.documentElement.dataset.stream") == "open")
    WebDriverWait(driver, 30).until(lambda d: "state-published" in card.get_attribute("class"))
    check(driver.execute_script("return window.arkyraStillHere === true"), "the card turned published without a reload")
    check(card.find_element(By.CSS_SELECTOR, ".badge").text == "Published", "its label says so: " + card.find_element(By.CSS_SELECTOR, ".badge").text)
    # The next one is refused by the platform: a notification, counted in the header.
    driver.find_element(By.LINK_TEXT, "New post").click()
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "input[name=channel]"))).click()
    driver.find_element(By.ID, "content").send_keys("Refused from Chromium")
    driver.find_element(By.CSS_SELECTOR, "button[value=now]").click()
    wait.until(lambda d: any("Refused from Chromium" in c.text for c in d.find_elements(By.CSS_SELECTOR, "li.post")))
    # Two notifications: the post failed, and its channel needs reconnecting.
    badge = "const b = document.querySelector('[data-unread]'); return b.hidden ? '' : b.textContent"
    try:
        WebDriverWait(driver, 30).until(lambda d: d.execute_script(badge) == "2")
    except TimeoutException:
        pass
    check(driver.execute_script(badge) == "2", "the header counts the unseen notifications: " + driver.execute_script(badge))
    driver.find_element(By.PARTIAL_LINK_TEXT, "Notifications").click()
    check("refused the channel" in driver.page_source, "the notifications page says why")
    shoot("notifications-en")
    scan("the notifications")
    check(not driver.find_element(By.CSS_SELECTOR, "[data-unread]").is_displayed(), "once seen, the header counts none")

    # The settings screens: the team (an invitation by link), an API key shown once, the audit log, the account.
    driver.find_element(By.LINK_TEXT, "Team").click()
    driver.find_element(By.ID, "invite-role").send_keys("Editor")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/team/invitations'] button.primary").click()
    link = wait.until(seen.presence_of_element_located((By.ID, "invitation-link"))).get_attribute("value")
    check("/app/invitations/accept?token=inv_" in link, "an invitation by link is shown once: " + link)
    check("By link" in driver.find_element(By.CSS_SELECTOR, "table[aria-labelledby=invitations-title]").text, "the pending invitation is listed")
    shoot("team-en")
    scan("the team")
    driver.find_element(By.LINK_TEXT, "API keys").click()
    driver.find_element(By.ID, "key-name").send_keys("n8n")
    driver.find_element(By.ID, "key-name").submit()
    secret = wait.until(seen.presence_of_element_located((By.ID, "new-key"))).get_attribute("value")
    check(secret.startswith("ark_"), "the new key is shown once")
    scan("the API keys")
    driver.find_element(By.LINK_TEXT, "Audit log").click()
    rows = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.rows tbody tr"))
    check(any("api_key.created" in row.text for row in rows), "the audit log lists the key's creation")
    shoot("audit-en")
    scan("the audit log")
    # The media library: an image uploaded through the form's script (with its progress bar).
    driver.find_element(By.LINK_TEXT, "Media").click()
    image = os.path.join(tempfile.mkdtemp(), "rocket.png")
    with open(image, "wb") as out:
        out.write(png(96, 64))
    driver.find_element(By.ID, "media-file").send_keys(image)
    driver.find_element(By.ID, "media-name").send_keys("Rocket")
    driver.find_element(By.CSS_SELECTOR, "form[data-upload] button.primary").click()
    notice = wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "p.notice[role=status]")))
    check("uploaded" in notice.text, "the image is uploaded: " + notice.text)
    check("Rocket" in driver.find_element(By.CSS_SELECTOR, ".media-grid").text, "the library lists it")
    shoot("media-en")
    scan("the media library")

    # The analytics dashboard: the post published live is counted, drawn as a bar.
    driver.find_element(By.LINK_TEXT, "Analytics").click()
    figures = wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "ul.figures"))).text
    check("1\npublished" in figures or "1 published" in figures, "the dashboard counts the post published: " + figures.replace("\n", " "))
    check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar-published")) == 30, "a bar for each of the last 30 days")
    shoot("analytics-en")
    scan("the analytics")

    driver.find_element(By.CSS_SELECTOR, "a.who").click()
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "table.rows")))
    check("This browser" in driver.page_source, "the account page lists this browser's session")
    shoot("account-en")
    scan("the account")

    driver.get(calendar_url + "?view=week&date=" + moved_to)
    driver.execute_script("document.getElementById('language').value = 'ar'; document.getElementById('language').dispatchEvent(new Event('change'))")
    wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl")
    days = driver.find_elements(By.CSS_SELECTOR, "li.day")
    first, second = days[0].rect["x"], days[1].rect["x"]
    shoot("calendar-week-ar")
    scan("the week in Arabic")
    check(first > second, "in Arabic the week runs right to left (%s > %s)" % (first, second))
    check(driver.find_element(By.CSS_SELECTOR, "nav a[aria-current=page]").text == "التقويم", "the navigation is in Arabic")
    # The other main screens in Arabic: right to left, scanned, and shot for docs/screenshots.
    base = calendar_url.rsplit("/", 1)[0]
    for path, name in (("compose", "composer"), ("channels", "channels"), ("media", "media"), ("analytics", "analytics"),
                       ("team", "team"), ("notifications", "notifications"), ("audit", "audit")):
        driver.get(base + "/" + path)
        check(driver.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl", "the %s page is right to left in Arabic" % name)
        if path == "compose":
            wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "input[name=channel]"))).click()
            driver.find_element(By.ID, "content").send_keys("مرحبًا من المتصفح")
            wait.until(seen.visibility_of_element_located((By.CSS_SELECTOR, ".preview-card")))
            wait.until(lambda d: "/ 500" in d.find_element(By.CSS_SELECTOR, "[data-counter-for]").text)
        shoot(name + "-ar")
        scan("the %s in Arabic" % name)
    driver.find_element(By.CSS_SELECTOR, "a.who").click()
    shoot("account-ar")
    scan("the account in Arabic")
    print("web flow: all checks passed")
except Exception:
    # What the browser saw, for the test's report (the traceback goes to stderr).
    print("failed at", driver.current_url, "; the browser's console:", driver.get_log("browser"))
    raise
finally:
    driver.quit()
