// Poradnyk staff console: the live preview and its checks, and small conveniences.
// Everything works without this script too: "Save draft" shows the same checks and preview.
"use strict";

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
  const form = document.getElementById("editor");
  if (form && form.dataset.previewUrl) {
    livePreview(form);
  }
});

function livePreview(form) {
  const preview = document.getElementById("preview");
  const submit = document.getElementById("submit-review");
  const count = document.getElementById("problem-count");
  const general = document.getElementById("general-issues");
  let timer = null;
  let sequence = 0;

  linkIssues(form);

  const refresh = async () => {
    const mine = ++sequence;
    const body = new FormData(form);
    preview.setAttribute("aria-busy", "true");
    let data;
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      if (!response.ok) { return; }
      data = await response.json();
    } catch (error) {
      return;
    } finally {
      if (mine === sequence) { preview.setAttribute("aria-busy", "false"); }
    }
    if (mine !== sequence) { return; }  // a newer request is on its way
    if (data.html) { preview.innerHTML = data.html; }
    showIssues(form, data.issues || {});
    general.replaceChildren(list(data.general || []));
    const errors = countErrors(data);
    if (submit) {
      submit.disabled = !data.ok;
      submit.setAttribute("aria-disabled", String(!data.ok));
    }
    if (count) {
      count.textContent = errors ? count.dataset.problems.replace("N", errors) : count.dataset.none;
    }
    form.dataset.checked = String(mine);
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 350);
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  for (const control of document.querySelectorAll("[data-preview]")) {
    control.addEventListener("change", refresh);
  }
  // A form with errors cannot be sent: the button is disabled, and Enter cannot send it.
  form.addEventListener("submit", (event) => {
    if (event.submitter === submit && submit.disabled) { event.preventDefault(); }
  });
}

function list(findings) {
  const ul = document.createElement("ul");
  ul.className = "issues";
  for (const finding of findings) {
    const li = document.createElement("li");
    li.className = finding.severity || "error";
    li.textContent = finding.message;
    ul.append(li);
  }
  return ul;
}

function showIssues(form, issues) {
  for (const box of document.querySelectorAll("ul[data-issues-for]")) {
    const name = box.dataset.issuesFor;
    const found = issues[name] || [];
    box.replaceChildren(...list(found).children);
    const field = box.closest(".field");
    if (field) {
      const hasError = found.some((f) => f.severity !== "warning");
      field.classList.toggle("has-issue", hasError);
      const input = field.querySelector("input, textarea, select");
      if (input) { input.setAttribute("aria-invalid", String(hasError)); }
    }
  }
}

function linkIssues(form) {
  for (const field of form.querySelectorAll(".field")) {
    const box = field.querySelector("ul[data-issues-for]");
    const input = field.querySelector("input, textarea, select");
    if (box && input) {
      input.setAttribute("aria-describedby", box.id);
      if (field.classList.contains("has-issue")) { input.setAttribute("aria-invalid", "true"); }
    }
  }
}

function countErrors(data) {
  let n = (data.general || []).filter((f) => f.severity !== "warning").length;
  for (const found of Object.values(data.issues || {})) {
    n += found.filter((f) => f.severity !== "warning").length;
  }
  return n;
}
