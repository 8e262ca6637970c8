// Keeps an organization's pages live: listens to its event stream (a WebSocket the session cookie opens),
// keeps the header's count of unseen notifications, turns a post's card on the calendar to its new state,
// and says what happened in a live region (for screen readers). A dropped socket is opened again after a
// growing pause; recounting first also renews an expired session.
import { api } from "/static/app.js";

const live = document.querySelector("[data-live]");
const badge = document.querySelector("[data-unread]");
const states = JSON.parse(live?.dataset.states || "{}");
let pause = 1000;

async function recount() {
  try {
    const { unread } = await api(`/organizations/${live.dataset.org}/notifications?limit=0`);
    if (badge) { badge.textContent = String(unread); badge.hidden = unread === 0; }
  } catch { /* the next event or reconnection tries again */ }
}

function show(event) {
  if (event.type?.startsWith("post.") && event.post_id) {
    for (const card of document.querySelectorAll(`li.post[data-post="${CSS.escape(event.post_id.toLowerCase())}"]`)) {
      card.className = card.className.replace(/\bstate-[a-z]+\b/, "state-" + event.state);
      const label = card.querySelector(".badge");
      if (label) label.textContent = states[event.state] ?? event.state;
      if (!["draft", "scheduled"].includes(event.state)) { card.removeAttribute("draggable"); card.removeAttribute("tabindex"); }
    }
    live.textContent = [states[event.state] ?? event.state, event.message].filter(Boolean).join(": ");
  } else if (event.type === "notification.created") {
    live.textContent = event.message;
  }
  recount();
}

// Events sent while the socket was closed (opening, or dropped) are missed: once it is open, count the
// notifications again and ask for the posts still in flight on this page (publishing, or due by now).
async function catchUp() {
  recount();
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const clock = `${pad(now.getHours())}:${pad(now.getMinutes())}`;
  const due = (card) => card.closest("[data-date]")?.dataset.date === today && (card.dataset.time ?? "99:99") <= clock;
  const inFlight = [...document.querySelectorAll("li.post.state-publishing, li.post.state-scheduled")]
    .filter((card) => card.classList.contains("state-publishing") || due(card));
  for (const card of inFlight.slice(0, 20)) {
    try {
      const post = await api(`/organizations/${live.dataset.org}/posts/${card.dataset.post}`);
      if (!card.classList.contains("state-" + post.state)) show({ type: "post." + post.state, post_id: post.id, state: post.state });
    } catch { /* the next opening tries again */ }
  }
}

function connect() {
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/organizations/${live.dataset.org}/events`);
  socket.addEventListener("open", () => { pause = 1000; document.documentElement.dataset.stream = "open"; catchUp(); });
  socket.addEventListener("message", (message) => {
    try { show(JSON.parse(message.data)); } catch { /* not an event of ours */ }
  });
  socket.addEventListener("close", async () => {
    document.documentElement.dataset.stream = "closed";
    await recount();
    setTimeout(connect, pause);
    pause = Math.min(pause * 2, 30000);
  });
}

if (live && "WebSocket" in window) connect();
