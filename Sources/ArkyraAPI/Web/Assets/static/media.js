// The media library's upload with a progress bar: the form's file goes to POST /api/v1/organizations/:id/media
// (the session cookie and the page's CSRF token), and the page is loaded again once it is stored; the API's
// error is shown beside the form otherwise. Without this script the form posts to the page itself.
const form = document.querySelector("form[data-upload]");
const progress = form?.querySelector("[data-progress]");
const problem = form?.querySelector("[data-upload-error]");
const button = form?.querySelector("button[type=submit]");

function fail(message) {
  problem.textContent = message;
  problem.hidden = false;
  progress.hidden = true;
  button.disabled = false;
}

form?.addEventListener("submit", (event) => {
  event.preventDefault();
  const data = new FormData(form);
  data.delete("_csrf");
  const request = new XMLHttpRequest();
  request.open("POST", form.dataset.api);
  request.setRequestHeader("X-CSRF-Token", document.querySelector('meta[name="csrf-token"]')?.content ?? "");
  request.setRequestHeader("Accept", "application/json");
  request.upload.addEventListener("progress", (step) => {
    if (step.lengthComputable) progress.value = Math.round((step.loaded * 100) / step.total);
  });
  request.addEventListener("load", () => {
    if (request.status < 300) return location.assign(location.pathname + "?done=media_uploaded");
    // An expired access cookie: loading the page renews it; the file is chosen again.
    if (request.status === 401) return location.reload();
    let message = request.statusText;
    try { message = JSON.parse(request.responseText).error?.message ?? message; } catch { /* not JSON */ }
    fail(message);
  });
  request.addEventListener("error", () => fail(document.querySelector("[data-offline]")?.textContent ?? "offline"));
  problem.hidden = true;
  progress.hidden = false;
  progress.value = 0;
  button.disabled = true;
  request.send(data);
});
