// The composer: keeps what is typed in a local draft (restored after an expired session or a closed tab,
// cleared once the form is sent), counts the text as each chosen platform does, and adds thread items.
import { api } from "./app.js";

const form = document.querySelector("[data-composer]");
if (form) {
  const key = form.dataset.draftKey;
  const fields = () => ({
    content: form.content.value,
    thread: [...form.querySelectorAll('textarea[name="thread"]')].map((t) => t.value),
    channels: [...form.querySelectorAll('input[name="channel"]:checked')].map((c) => c.value),
    media: [...form.querySelectorAll('input[name="media"]:checked')].map((c) => c.value),
    publish_at: form.publish_at.value,
  });
  const thread = form.querySelector("[data-thread]");
  const addButton = form.querySelector("[data-add-item]");
  const addItem = (text = "") => {
    const index = thread.querySelectorAll("textarea").length + 1;
    const item = document.createElement("div");
    item.className = "thread-item";
    const label = document.createElement("label");
    label.htmlFor = "thread-" + index;
    label.textContent = addButton.dataset.label + " " + index;
    const area = document.createElement("textarea");
    area.id = "thread-" + index;
    area.name = "thread";
    area.rows = 3;
    area.value = text;
    item.append(label, area);
    thread.append(item);
    return area;
  };
  addButton.addEventListener("click", () => addItem().focus());

  const saved = JSON.parse(localStorage.getItem(key) || "null");
  const untouched = !form.content.value && !form.querySelector(".field-error");
  if (saved && untouched && (saved.content || saved.thread?.some(Boolean))) {
    form.content.value = saved.content;
    const areas = form.querySelectorAll('textarea[name="thread"]');
    saved.thread.forEach((text, i) => { if (areas[i]) areas[i].value = text; else addItem(text); });
    for (const box of form.querySelectorAll('input[name="channel"]')) box.checked = saved.channels.includes(box.value);
    for (const box of form.querySelectorAll('input[name="media"]')) box.checked = (saved.media ?? []).includes(box.value);
    if (saved.publish_at) form.publish_at.value = saved.publish_at;
    form.querySelector("[data-restored]").hidden = false;
  }
  form.addEventListener("input", () => localStorage.setItem(key, JSON.stringify(fields())));
  form.addEventListener("submit", () => localStorage.removeItem(key));

  // The counter asks the API to measure the text for each ticked channel (POST .../posts/check), so it
  // counts as the platform does and as scheduling will judge; with no channel ticked, plain characters.
  const counter = form.querySelector("[data-counter-for]");
  const segmenter = "Segmenter" in Intl ? new Intl.Segmenter() : null;
  const organization = key.slice("draft:".length);
  let pending = null;
  const count = async () => {
    const text = form.content.value;
    const boxes = [...form.querySelectorAll('input[name="channel"]:checked')];
    if (boxes.length === 0) {
      const n = segmenter ? [...segmenter.segment(text)].length : [...text].length;
      counter.textContent = n + " " + form.dataset.characters;
      return;
    }
    try {
      const answer = await api(`/organizations/${organization}/posts/check`, {
        method: "POST", body: { content: text, integration_ids: boxes.map((b) => b.value) },
      });
      counter.replaceChildren(...answer.channels.map((check) => {
        const line = document.createElement("span");
        const name = boxes.find((b) => b.value === check.integration_id)?.dataset.name ?? check.provider;
        line.textContent = `${name}: ${check.characters} / ${check.maximum}` + (check.problem && text.trim() ? ` — ${check.problem}` : "");
        line.className = check.problem && text.trim() ? "field-error" : "";
        return line;
      }));
    } catch (error) {
      counter.textContent = error.message;
    }
  };
  const soon = () => { clearTimeout(pending); pending = setTimeout(count, 250); };
  form.content.addEventListener("input", soon);
  for (const box of form.querySelectorAll('input[name="channel"]')) box.addEventListener("change", soon);
  count();
}
