// The marking page's keys and buttons: each change is one JSON POST, then the page is shown again
// as the server has it (so what two markers do at once is what both see).
"use strict";

const layout = document.querySelector(".layout");
const task = layout ? layout.dataset.task : null;
const items = [...document.querySelectorAll(".item")].map((li) => Number(li.dataset.item));

function marker() {
  const field = document.getElementById("marker");
  const name = field ? field.value.trim() : "";
  if (name) localStorage.setItem("marker", name);
  return name;
}

async function send(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...body, task, marker: marker() }),
  });
  if (!response.ok) {
    const said = await response.json().catch(() => ({ error: response.statusText }));
    alert(said.error || "the change was refused");
    return;
  }
  const selected = document.querySelector(".target.selected");
  if (selected) sessionStorage.setItem("selected", selected.id || selected.dataset.folder);
  sessionStorage.setItem("scroll", String(window.scrollY));
  location.reload();
}

function select(target) {
  document.querySelectorAll(".target.selected").forEach((t) => t.classList.remove("selected"));
  target.classList.add("selected");
}

function restore() {
  const saved = localStorage.getItem("marker");
  const field = document.getElementById("marker");
  if (saved && field) field.value = saved;
  const id = sessionStorage.getItem("selected");
  sessionStorage.removeItem("selected");
  if (id) {
    const target = document.getElementById(id) || document.querySelector(`.member[data-folder="${CSS.escape(id)}"]`);
    if (target) {
      select(target);
      const details = target.closest("details");
      if (details) details.open = true;
    }
  }
  const scroll = sessionStorage.getItem("scroll");
  sessionStorage.removeItem("scroll");
  if (scroll) window.scrollTo(0, Number(scroll));
}

function toggle(index) {
  const target = document.querySelector(".target.selected");
  const item = items[index];
  if (!target || item === undefined) return;
  const applied = JSON.parse(target.dataset.applied);
  send("/api/apply", { item, folders: JSON.parse(target.dataset.folders), on: !applied.includes(item) });
}

document.addEventListener("click", (event) => {
  const target = event.target.closest(".target");
  if (target && !event.target.closest("a, button, input, summary")) {
    event.stopPropagation();
    select(event.target.closest(".member") || target);
  }
  const member = event.target.closest(".member");
  if (event.target.matches(".save-note")) {
    send("/api/annotate", {
      folder: member.dataset.folder,
      comment: member.querySelector(".comment").value,
      adjustment: member.querySelector(".adjustment").value || 0,
    });
  } else if (event.target.matches(".move-apart, .regroup")) {
    send("/api/apart", { folder: member.dataset.folder, apart: event.target.matches(".move-apart") });
  } else if (event.target.matches(".delete-item")) {
    const li = event.target.closest(".item");
    if (confirm(`Delete "${li.querySelector(".text").textContent}" and take it off every answer?`)) {
      send("/api/item/delete", { item: Number(li.dataset.item) });
    }
  } else if (event.target.closest(".item") && !event.target.matches(".edit-item")) {
    // a tap on an item does what its key does (a phone has no keys 1-9 at hand)
    toggle(items.indexOf(Number(event.target.closest(".item").dataset.item)));
  } else if (event.target.matches(".edit-item")) {
    const li = event.target.closest(".item");
    const points = prompt("Points of this item (every answer it was applied to changes)", li.dataset.points);
    if (points === null) return;
    const text = prompt("Comment the student reads", li.querySelector(".text").textContent);
    if (text === null) return;
    send("/api/item/edit", { item: Number(li.dataset.item), points: Number(points), text });
  }
});

document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
  if (/^[1-9]$/.test(event.key)) {
    event.preventDefault();
    toggle(Number(event.key) - 1);
  } else if (event.key === "j" || event.key === "k") {
    const groups = [...document.querySelectorAll(".group")];
    const current = document.querySelector(".target.selected");
    const at = groups.indexOf(current ? current.closest(".group") : null);
    const next = groups[Math.min(Math.max(at + (event.key === "j" ? 1 : -1), 0), groups.length - 1)];
    if (next) {
      select(next);
      next.scrollIntoView({ block: "nearest" });
    }
  }
});

const form = document.getElementById("new-item");
if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send("/api/item", { points: Number(form.points.value), text: form.text.value });
  });
}

const slider = document.getElementById("threshold");
if (slider) slider.addEventListener("input", () => { document.getElementById("threshold-value").value = slider.value; });

restore();
