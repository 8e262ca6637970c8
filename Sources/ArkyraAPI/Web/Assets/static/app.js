// What every page shares: marks the page as scripted, keeps the viewer's time zone in a cookie (the server
// renders times in it), submits menus on change, says when the browser is offline, registers the service
// worker, and gives the other modules `api()`: a fetch of /api/v1 with the session cookie and the page's
// CSRF token, which refreshes an expired session once and sends the person to log in when it has ended.
document.documentElement.classList.add("js");

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (zone && !document.cookie.split("; ").includes("arkyra_tz=" + encodeURIComponent(zone))) {
  document.cookie = "arkyra_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
  // The page was rendered in the old zone: render it again once, now that the server knows.
  if (document.querySelector("[data-zone]") && !sessionStorage.getItem("arkyra-tz-reloaded")) {
    sessionStorage.setItem("arkyra-tz-reloaded", "1");
    location.reload();
  }
}

for (const select of document.querySelectorAll("select[data-autosubmit]")) {
  select.addEventListener("change", () => select.form.requestSubmit());
}

const offline = document.querySelector("[data-offline]");
const showOnline = () => { if (offline) offline.hidden = navigator.onLine; };
addEventListener("online", showOnline);
addEventListener("offline", showOnline);
showOnline();

if ("serviceWorker" in navigator) navigator.serviceWorker.register("/service-worker.js").catch(() => {});

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// The access token expired: loading a page refreshes the session (and its cookies). Calls that fail
// together share one refresh.
let refreshing = null;
function refreshSession() {
  refreshing ??= fetch(location.pathname + location.search, { credentials: "same-origin", redirect: "manual" })
    .then((page) => page.type !== "opaqueredirect" && page.status < 300)
    .finally(() => setTimeout(() => { refreshing = null; }, 1000));
  return refreshing;
}

export async function api(path, { method = "GET", body } = {}) {
  const send = () => fetch("/api/v1" + path, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(), Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let response = await send();
  if (response.status === 401) {
    if (!(await refreshSession())) {
      location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
      throw new Error("session ended");
    }
    response = await send();
  }
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = json?.error ?? {};
    const fields = error.fields ? Object.entries(error.fields).map(([k, v]) => k + ": " + v).join("; ") : "";
    throw new Error(fields || error.message || response.statusText);
  }
  return json;
}
