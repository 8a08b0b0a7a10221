// The examdesk dashboard, a Telegram Mini App. It reads initData and the
// theme from Telegram.WebApp when Telegram's script is there, else from
// the URL's fragment (#tgWebAppData=…&tgWebAppThemeParams=…), where
// Telegram puts them too; every API call carries initData as
// "Authorization: tma <initData>". The pages are HTML the server renders.
"use strict";
(function () {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  const state = { initData: fragment.get("tgWebAppData") || "", lang: "", days: 30, page: "overview", ui: {} };
  const $ = (sel) => document.querySelector(sel);

  // Theme: Telegram's colours as the CSS variables its script sets.
  function applyTheme(params) {
    if (!params) return;
    for (const [k, v] of Object.entries(params)) {
      if (typeof v === "string" && /^#[0-9a-fA-F]{3,8}$/.test(v)) {
        document.documentElement.style.setProperty("--tg-theme-" + k.replace(/_/g, "-"), v);
      }
    }
    const bg = params.bg_color;
    if (bg) document.documentElement.dataset.scheme = luminance(bg) < 0.5 ? "dark" : "light";
  }
  function luminance(hex) {
    let h = hex.slice(1);
    if (h.length === 3) h = h.split("").map((c) => c + c).join("");
    const n = parseInt(h.slice(0, 6), 16);
    return (0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
  }
  try { applyTheme(JSON.parse(fragment.get("tgWebAppThemeParams") || "null")); } catch (e) { /* no theme */ }

  function telegram() {
    const w = window.Telegram && window.Telegram.WebApp;
    if (!w || telegram.done) return;
    telegram.done = true;
    w.ready();
    w.expand();
    if (w.initData) state.initData = w.initData;
    if (w.themeParams && Object.keys(w.themeParams).length) applyTheme(w.themeParams);
    w.onEvent("themeChanged", () => applyTheme(w.themeParams));
  }
  telegram();
  const tgScript = document.getElementById("telegram-web-app");
  if (tgScript) tgScript.addEventListener("load", telegram);

  function userLang() {
    try {
      const user = JSON.parse(new URLSearchParams(state.initData).get("user") || "{}");
      const c = (user.language_code || "").toLowerCase().replace("_", "-");
      if (["zh-tw", "zh-hk", "zh-mo", "zh-hant"].includes(c) || c.startsWith("zh-hant-")) return "zh-Hant";
      if (c === "zh" || c.startsWith("zh-")) return "zh-Hans";
    } catch (e) { /* not JSON */ }
    return "en";
  }
  state.lang = ["zh-Hant", "zh-Hans", "en"].includes(query.get("lang")) ? query.get("lang") : userLang();
  document.documentElement.lang = state.lang;

  function status(text, kind) {
    const s = $("#status");
    s.textContent = text || "";
    s.hidden = !text;
    s.className = kind || "";
  }

  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options);
    opts.headers.Authorization = "tma " + state.initData;
    const sep = path.includes("?") ? "&" : "?";
    const res = await fetch("api/" + path + sep + "lang=" + encodeURIComponent(state.lang), opts);
    return res;
  }

  async function errorOf(res) {
    try { return (await res.json()).error; } catch (e) { return state.ui.failed; }
  }

  async function show(page) {
    state.page = page;
    for (const b of document.querySelectorAll("#tabs button")) {
      if (b.dataset.page === page) b.setAttribute("aria-current", "page"); else b.removeAttribute("aria-current");
    }
    $("#period").hidden = page !== "overview" && page !== "broadcasts";
    status(state.ui.loading);
    const days = page === "overview" || page === "broadcasts" ? "?days=" + state.days : "";
    let res;
    try {
      res = await api(page + days);
    } catch (e) {
      status(state.ui.offline, "error");
      return;
    }
    if (!res.ok) {
      status(await errorOf(res), "error");
      if (res.status === 401 || res.status === 403) refuse();
      return;
    }
    $("#page").innerHTML = await res.text();
    $("#page").dataset.page = page;
    status("");
  }

  function refuse() {
    $("#tabs").hidden = true;
    $("#period").hidden = true;
    $("#page").innerHTML = "";
    document.body.classList.add("refused");
  }

  async function teach(form, topic) {
    const id = form.closest("li").dataset.id;
    if (!topic) {
      form.querySelector("select").focus();
      return;
    }
    for (const b of form.querySelectorAll("button")) b.disabled = true;
    let res;
    try {
      res = await api("unanswered/" + encodeURIComponent(id), {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ topic: topic }).toString(),
      });
    } catch (e) {
      status(state.ui.offline, "error");
      for (const b of form.querySelectorAll("button")) b.disabled = false;
      return;
    }
    const type = res.headers.get("Content-Type") || "";
    if (type.startsWith("text/html")) {
      $("#page").innerHTML = await res.text();
      status("");
      return;
    }
    status(await errorOf(res), "error");
    if (res.status === 401 || res.status === 403) refuse();
    for (const b of form.querySelectorAll("button")) b.disabled = false;
  }

  document.addEventListener("submit", (ev) => {
    const form = ev.target.closest("form.teach");
    if (!form) return;
    ev.preventDefault();
    const by = ev.submitter;
    teach(form, by && by.name === "topic" ? by.value : form.querySelector("select").value);
  });
  document.addEventListener("click", (ev) => {
    const tab = ev.target.closest("#tabs button");
    if (tab) { show(tab.dataset.page); return; }
    const period = ev.target.closest("#period button");
    if (period) {
      state.days = Number(period.dataset.days);
      for (const b of document.querySelectorAll("#period button")) b.setAttribute("aria-pressed", String(b === period));
      show(state.page);
    }
  });

  async function start() {
    try {
      const res = await fetch("ui.json?lang=" + encodeURIComponent(state.lang));
      state.ui = await res.json();
    } catch (e) {
      state.ui = {};
    }
    document.title = state.ui.title || "examdesk";
    $("#title").textContent = state.ui.title || "examdesk";
    for (const b of document.querySelectorAll("#tabs button")) b.textContent = state.ui[b.dataset.page] || b.dataset.page;
    for (const b of document.querySelectorAll("#period button")) b.textContent = state.ui["days" + b.dataset.days] || b.dataset.days;
    status(state.ui.loading);
    let res;
    try {
      res = await api("me");
    } catch (e) {
      status(state.ui.offline, "error");
      return;
    }
    if (!res.ok) {
      status(await errorOf(res), "error");
      refuse();
      return;
    }
    $("#tabs").hidden = false;
    show("overview");
  }
  start();
})();
