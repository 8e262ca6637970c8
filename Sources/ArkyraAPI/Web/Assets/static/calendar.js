// Drag and drop on the calendar: a scheduled post or a draft dropped on another day keeps its time of day
// (in the calendar's zone) and moves there at once; the change goes to PATCH /api/v1/.../posts/:id, and an
// answer other than success puts the post back and says why. Keyboard: focus a post, press Alt+Arrow to
// move it a day (or a week with Up/Down).
import { api } from "./app.js";

const calendar = document.querySelector("[data-calendar]");
if (calendar) {
  const organization = calendar.dataset.organization;
  const timeZone = calendar.dataset.timeZone;
  const status = calendar.querySelector("[data-status]");
  let dragged = null;

  const offset = (instant) => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(instant).map((p) => [p.type, p.value]));
    return Date.UTC(+parts.year, parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - instant;
  };
  // The instant of a wall time in the calendar's zone (twice, so a daylight-saving change between the
  // guess and the answer is accounted for).
  const instant = (day, time) => {
    const [y, m, d] = day.split("-").map(Number);
    const [hh, mm] = time.split(":").map(Number);
    const wall = Date.UTC(y, m - 1, d, hh, mm);
    let guess = wall - offset(wall);
    guess = wall - offset(guess);
    return new Date(guess).toISOString();
  };

  const move = async (post, target) => {
    const from = post.closest("[data-date]");
    if (!target || target === from) return;
    const list = target.querySelector(".posts");
    const back = post.nextSibling;
    list.appendChild(post);
    post.classList.add("moving");
    try {
      await api(`/organizations/${organization}/posts/${post.dataset.post}`, {
        method: "PATCH", body: { publish_at: instant(target.dataset.date, post.dataset.time) },
      });
      status.textContent = calendar.dataset.moved;
    } catch (error) {
      from.querySelector(".posts").insertBefore(post, back);
      status.textContent = calendar.dataset.moveFailed + " " + error.message;
    } finally {
      post.classList.remove("moving");
      post.focus();
    }
  };

  calendar.addEventListener("dragstart", (event) => {
    dragged = event.target.closest('.post[draggable="true"]');
    if (dragged) event.dataTransfer.setData("text/plain", dragged.dataset.post);
  });
  calendar.addEventListener("dragover", (event) => {
    const day = event.target.closest("[data-date]");
    if (dragged && day) { event.preventDefault(); day.classList.add("drop-target"); }
  });
  calendar.addEventListener("dragleave", (event) => event.target.closest("[data-date]")?.classList.remove("drop-target"));
  calendar.addEventListener("drop", (event) => {
    event.preventDefault();
    const day = event.target.closest("[data-date]");
    day?.classList.remove("drop-target");
    if (dragged) move(dragged, day);
    dragged = null;
  });
  calendar.addEventListener("keydown", (event) => {
    const post = event.target.closest('.post[draggable="true"]');
    if (!post || !event.altKey) return;
    const days = [...calendar.querySelectorAll("[data-date]")];
    const index = days.indexOf(post.closest("[data-date]"));
    const rtl = document.dir === "rtl";
    const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1, ArrowDown: 7, ArrowUp: -7 }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    move(post, days[index + step]);
  });
}
