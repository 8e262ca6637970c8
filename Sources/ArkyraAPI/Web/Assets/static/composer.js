// The composer: keeps what is typed in a local draft (restored after an expired session or a closed tab,
// cleared once the form is sent), shows a text of its own for each ticked channel when one is written,
// counts each channel's text as its platform does, previews the post as each channel will show it, and
// adds thread items.
import { api } from "./app.js";

const form = document.querySelector("[data-composer]");
if (form) {
  const key = form.dataset.draftKey;
  const ticked = () => [...form.querySelectorAll('input[name="channel"]:checked')];
  const overrideOf = (id) => form.querySelector(`textarea[data-override="${id}"]`);
  // The text a channel will get: its own when one is written, the main text otherwise.
  const textFor = (id) => overrideOf(id)?.value.trim() ? overrideOf(id).value : form.content.value;
  const threadTexts = () => [...form.querySelectorAll('textarea[name="thread"]')].map((t) => t.value);
  const fields = () => ({
    content: form.content.value,
    thread: threadTexts(),
    delays: [...form.querySelectorAll('select[name="thread_delay"]')].map((d) => d.value),
    thread_media: [...form.querySelectorAll(".thread-item")].map((item) => [...item.querySelectorAll('input[name^="thread_media_"]:checked')].map((c) => c.value)),
    tags: form.tags.value,
    repeat: form.repeat.value,
    signature: form.signature.value,
    channels: ticked().map((c) => c.value),
    media: [...form.querySelectorAll('input[name="media"]:checked')].map((c) => c.value),
    overrides: Object.fromEntries([...form.querySelectorAll("textarea[data-override]")].filter((a) => a.value).map((a) => [a.dataset.override, a.value])),
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
    // The same waits as the first item offers, starting at "right after".
    const delayLabel = thread.querySelector('label[for^="thread-delay-"]').cloneNode(true);
    const delay = thread.querySelector('select[name="thread_delay"]').cloneNode(true);
    delay.id = "thread-delay-" + index;
    delay.selectedIndex = 0;
    delayLabel.htmlFor = delay.id;
    item.append(label, area, delayLabel, delay);
    // The same files to pick from as the first item, none ticked.
    const media = thread.querySelector(".thread-media")?.cloneNode(true);
    if (media) {
      media.open = false;
      const legend = media.querySelector("legend");
      legend.textContent = legend.dataset.label + " " + index;
      for (const box of media.querySelectorAll("input")) { box.name = "thread_media_" + index; box.checked = false; }
      item.append(media);
    }
    thread.append(item);
    return area;
  };
  addButton.addEventListener("click", () => addItem().focus());

  // A channel's own text is offered only for the ticked channels.
  const showOverrides = () => {
    const chosen = new Set(ticked().map((c) => c.value));
    for (const block of form.querySelectorAll("[data-override-for]")) block.hidden = !chosen.has(block.dataset.overrideFor);
    form.querySelector("[data-overrides]").hidden = chosen.size === 0;
  };

  const saved = JSON.parse(localStorage.getItem(key) || "null");
  const untouched = !form.content.value && !form.querySelector(".field-error");
  if (saved && untouched && (saved.content || saved.thread?.some(Boolean))) {
    form.content.value = saved.content;
    const areas = form.querySelectorAll('textarea[name="thread"]');
    saved.thread.forEach((text, i) => { if (areas[i]) areas[i].value = text; else addItem(text); });
    for (const box of form.querySelectorAll('input[name="channel"]')) box.checked = saved.channels.includes(box.value);
    for (const box of form.querySelectorAll('input[name="media"]')) box.checked = (saved.media ?? []).includes(box.value);
    for (const [id, text] of Object.entries(saved.overrides ?? {})) { const area = overrideOf(id); if (area) area.value = text; }
    (saved.thread_media ?? []).forEach((ids, i) => {
      for (const box of form.querySelectorAll(`input[name="thread_media_${i + 1}"]`)) box.checked = ids.includes(box.value);
    });
    (saved.delays ?? []).forEach((value, i) => { const select = form.querySelectorAll('select[name="thread_delay"]')[i]; if (select) select.value = value; });
    for (const name of ["tags", "repeat", "signature"]) if (saved[name] !== undefined) form[name].value = saved[name];
    if (saved.publish_at) form.publish_at.value = saved.publish_at;
    form.querySelector("[data-restored]").hidden = false;
  }

  // The preview: a card per ticked channel with its name, handle, text, pictures and thread, styled after
  // its platform (the cards are built from text nodes only: what is typed is never markup).
  const cards = form.querySelector("[data-preview-cards]");
  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const preview = () => {
    const boxes = ticked();
    const pictures = [...form.querySelectorAll('input[name="media"]:checked')].map((m) => m.closest("label").querySelector("img")).filter(Boolean);
    const replies = threadTexts().filter((t) => t.trim());
    cards.replaceChildren(...boxes.map((box) => {
      const card = element("article", "preview-card preview-" + box.dataset.provider);
      const head = element("header", "preview-head");
      if (box.dataset.avatar) {
        const avatar = element("img", "avatar");
        avatar.src = box.dataset.avatar;
        avatar.alt = "";
        avatar.width = avatar.height = 36;
        head.append(avatar);
      }
      const who = element("span", "preview-who");
      who.append(element("strong", "", box.dataset.name), element("span", "preview-handle", box.dataset.username ? "@" + box.dataset.username : box.dataset.provider));
      head.append(who, element("span", "preview-platform", box.dataset.providerName || box.dataset.provider));
      card.append(head, element("p", "preview-text", textFor(box.value)));
      if (pictures.length) {
        const grid = element("div", "preview-media");
        for (const picture of pictures.slice(0, 4)) {
          const copy = element("img");
          copy.src = picture.src;
          copy.alt = picture.alt;
          grid.append(copy);
        }
        card.append(grid);
      }
      if (replies.length) {
        const list = element("ol", "preview-thread");
        for (const reply of replies) list.append(element("li", "", reply));
        card.append(list);
      }
      return card;
    }));
    cards.closest("[data-previews]").hidden = boxes.length === 0;
  };

  // The counter asks the API to measure each channel's text (POST .../posts/check, once per distinct text),
  // so it counts as the platform does and as scheduling will judge; with no channel ticked, plain characters.
  const counter = form.querySelector("[data-counter-for]");
  const segmenter = "Segmenter" in Intl ? new Intl.Segmenter() : null;
  const organization = key.slice("draft:".length);
  let pending = null;
  const count = async () => {
    const boxes = ticked();
    if (boxes.length === 0) {
      const text = form.content.value;
      const n = segmenter ? [...segmenter.segment(text)].length : [...text].length;
      counter.textContent = n + " " + form.dataset.characters;
      return;
    }
    const byText = new Map();
    for (const box of boxes) {
      const text = textFor(box.value);
      byText.set(text, [...(byText.get(text) ?? []), box]);
    }
    try {
      const answers = await Promise.all([...byText].map(async ([text, group]) => {
        const answer = await api(`/organizations/${organization}/posts/check`, {
          method: "POST", body: { content: text, integration_ids: group.map((b) => b.value) },
        });
        return answer.channels.map((check) => ({ check, text, box: group.find((b) => b.value === check.integration_id) }));
      }));
      counter.replaceChildren(...answers.flat().map(({ check, text, box }) => {
        const line = document.createElement("span");
        const name = box?.dataset.name ?? check.provider;
        line.textContent = `${name}: ${check.characters} / ${check.maximum}` + (check.problem && text.trim() ? ` — ${check.problem}` : "");
        line.className = check.problem && text.trim() ? "field-error" : "";
        return line;
      }));
    } catch (error) {
      counter.textContent = error.message;
    }
  };
  const soon = () => { clearTimeout(pending); pending = setTimeout(count, 250); };
  form.addEventListener("input", (event) => {
    localStorage.setItem(key, JSON.stringify(fields()));
    preview();
    if (event.target === form.content || event.target.dataset.override) soon();
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "channel") { showOverrides(); soon(); }
    preview();
  });
  // Upload from the composer: the file goes to POST /api/v1/.../media with a progress bar, and comes back
  // ticked in the picker (the API's error is shown beside it otherwise).
  const upload = form.querySelector("[data-upload-to]");
  const sitePath = (url) => url && url.startsWith(upload.dataset.publicUrl + "/") ? url.slice(upload.dataset.publicUrl.length) : url;
  const addPick = (file) => {
    const label = element("label", "pick");
    const box = element("input");
    box.type = "checkbox";
    box.name = "media";
    box.value = file.id;
    box.checked = true;
    label.append(box);
    const source = sitePath(file.kind === "image" ? file.url : file.thumbnail_url);
    if (source) {
      const image = element("img");
      image.src = source;
      image.alt = file.alt || file.name;
      image.width = 72;
      image.height = 54;
      label.append(image);
    } else {
      label.append(element("span", "", file.name));
    }
    // Into the picker's group, without the upload's own input (a group holds only the files to tick).
    form.querySelector("[data-main-picker]").append(label);
    form.querySelector("[data-no-media]")?.remove();
  };
  upload?.addEventListener("change", () => {
    const file = upload.files[0];
    if (!file) return;
    const bar = form.querySelector("[data-upload-progress]");
    const problem = form.querySelector("[data-upload-problem]");
    const data = new FormData();
    data.append("file", file);
    const request = new XMLHttpRequest();
    request.open("POST", upload.dataset.uploadTo);
    request.setRequestHeader("X-CSRF-Token", document.querySelector('meta[name="csrf-token"]')?.content ?? "");
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (step) => { if (step.lengthComputable) bar.value = Math.round((step.loaded * 100) / step.total); });
    const done = () => { bar.hidden = true; upload.disabled = false; upload.value = ""; };
    request.addEventListener("load", () => {
      done();
      if (request.status < 300) {
        addPick(JSON.parse(request.responseText));
        localStorage.setItem(key, JSON.stringify(fields()));
        preview();
        return;
      }
      let message = request.statusText;
      try { message = JSON.parse(request.responseText).error?.message ?? message; } catch { /* not JSON */ }
      problem.textContent = message;
      problem.hidden = false;
    });
    request.addEventListener("error", () => { done(); problem.textContent = document.querySelector("[data-offline]")?.textContent ?? "offline"; problem.hidden = false; });
    problem.hidden = true;
    bar.value = 0;
    bar.hidden = false;
    upload.disabled = true;
    request.send(data);
  });
  form.addEventListener("submit", () => localStorage.removeItem(key));
  showOverrides();
  preview();
  count();
}
