// The services view of sprites-mcp. One file, two data sources:
//  - the dashboard (body data-mode="dashboard"): a session cookie, live
//    lists from /api/events, log tails from /api/logs, actions through
//    POST /api/action with the session's CSRF token;
//  - the MCP App (data-mode="mcp-app"): the host's postMessage bridge
//    (extension io.modelcontextprotocol/ui), tool results pushed by the
//    host, refreshes and log tails asked of the server through the host.
// Every value from the server reaches the page as text (textContent),
// never as markup.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  // ---- the view, shared by both modes ----

  const view = {
    canWrite: false,
    onAction: null, // (sprite, service, action) => Promise
    onLogs: null, // (sprite, service) => void
    rows: new Map(), // sprite → services, for redraws (uptime ticks)
  };

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) e.append(c);
    return e;
  }

  // uptime formats the time since an RFC 3339 start as "3d 4h", "2h 5m",
  // "4m 10s" or "12s".
  function uptime(startedAt) {
    if (!startedAt) return "";
    let s = Math.max(0, Math.floor((Date.now() - Date.parse(startedAt)) / 1000));
    const d = Math.floor(s / 86400); s %= 86400;
    const h = Math.floor(s / 3600); s %= 3600;
    const m = Math.floor(s / 60); s %= 60;
    if (d) return `${d}d ${h}h`;
    if (h) return `${h}h ${m}m`;
    if (m) return `${m}m ${s}s`;
    return `${s}s`;
  }

  function spriteSection(sprite) {
    const id = "sprite-" + sprite;
    let sec = document.getElementById(id);
    if (!sec) {
      sec = el("section", { class: "card sprite", id, "data-sprite": sprite });
      $("sprites").append(sec);
    }
    return sec;
  }

  // render draws one sprite's services.
  function render(sprite, services) {
    view.rows.set(sprite, services);
    const sec = spriteSection(sprite);
    const head = el("tr", {}, ...["Service", "Status", "PID", "Uptime", "Port", "Restarts", "Last error", ""].map((h) => el("th", {}, h)));
    const body = el("tbody");
    for (const s of services) {
      const acts = el("td", { class: "acts" });
      acts.append(el("button", { type: "button", class: "logs", onclick: () => view.onLogs(sprite, s.name) }, "Logs"));
      if (view.canWrite && view.onAction) {
        for (const a of ["start", "stop", "restart"]) {
          const b = el("button", { type: "button", class: "action action-" + a, "data-action": a }, a[0].toUpperCase() + a.slice(1));
          b.onclick = async () => {
            b.disabled = true;
            try { await view.onAction(sprite, s.name, a); } finally { b.disabled = false; }
          };
          acts.append(b);
        }
      }
      body.append(el("tr", { "data-service": s.name, "data-status": s.status },
        el("td", { class: "name" }, s.name),
        el("td", {}, el("span", { class: "status status-" + s.status }, s.status)),
        el("td", { class: "num pid" }, s.pid ? String(s.pid) : ""),
        el("td", { class: "num uptime", "data-started": s.started_at || "" }, uptime(s.started_at)),
        el("td", { class: "num port" }, s.http_port ? String(s.http_port) : ""),
        el("td", { class: "num restarts" }, String(s.restart_count || 0)),
        el("td", { class: "err" }, s.error || ""),
        acts));
    }
    const table = el("table", {}, el("thead", {}, head), body);
    sec.replaceChildren(el("h2", {}, sprite),
      services.length ? table : el("p", { class: "empty" }, "No services on this sprite."));
  }

  // Uptimes tick without asking the server.
  setInterval(() => {
    for (const td of document.querySelectorAll("td.uptime[data-started]")) {
      td.textContent = uptime(td.getAttribute("data-started"));
    }
  }, 1000);

  function status(text, isError) {
    const p = $("status");
    p.textContent = text;
    p.className = isError ? "error" : "muted";
    p.hidden = !text;
  }

  function showLog(sprite, service, text) {
    $("log").hidden = false;
    $("log-title").textContent = `Log of ${service} on ${sprite}`;
    const pre = $("log-text");
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.textContent = text;
    if (atEnd) pre.scrollTop = pre.scrollHeight;
  }

  // ---- the dashboard ----

  function dashboard() {
    let csrf = "";
    let events = null;
    let logStream = null;

    async function session() {
      const r = await fetch("/api/session", { credentials: "same-origin" });
      if (r.status === 401) {
        const body = await r.json().catch(() => ({}));
        return body.auth === false ? login("") : showLogin();
      }
      if (!r.ok) return status(`Cannot load the session: ${(await r.json().catch(() => ({}))).error || r.status}`, true);
      start(await r.json());
    }

    function showLogin(message) {
      if (events) events.close();
      if (logStream) logStream.close();
      $("login").hidden = false;
      $("who").hidden = $("logout").hidden = true;
      $("sprites").replaceChildren();
      $("log").hidden = true;
      status("");
      const e = $("login-error");
      e.textContent = message || "";
      e.hidden = !message;
      $("token").focus();
    }

    // login sends the token once, in the Authorization header; the answer
    // sets the HttpOnly session cookie. The token is dropped from the form.
    async function login(token) {
      const headers = token ? { Authorization: "Bearer " + token } : {};
      const r = await fetch("/login", { method: "POST", headers, credentials: "same-origin" });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) return showLogin(body.error || `login failed (${r.status})`);
      start(body);
    }

    function start(info) {
      csrf = info.csrf;
      view.canWrite = info.can_write;
      $("login").hidden = true;
      $("who").textContent = `${info.client}${info.can_write ? "" : " · read-only"}`;
      $("who").hidden = false;
      $("logout").hidden = !info.auth;
      status(info.sprites.length ? "Connecting…" : "No sprites to show for this client.");
      listen();
    }

    function listen() {
      if (events) events.close();
      events = new EventSource("/api/events");
      events.addEventListener("sprites", (e) => {
        const sprites = JSON.parse(e.data);
        for (const sec of document.querySelectorAll("section.sprite")) {
          if (!sprites.includes(sec.getAttribute("data-sprite"))) sec.remove();
        }
        for (const sp of sprites) if (!view.rows.has(sp)) spriteSection(sp).replaceChildren(el("h2", {}, sp), el("p", { class: "muted" }, "Waiting for the first poll…"));
        status(sprites.length ? "" : "No sprites to show for this client.");
      });
      events.addEventListener("services", (e) => {
        const v = JSON.parse(e.data);
        render(v.sprite, v.services || []);
        status("");
      });
      events.onerror = async () => {
        // A 401 (expired session) closes the stream for good; anything
        // else is retried by the browser.
        if (events.readyState === EventSource.CLOSED) {
          const r = await fetch("/api/session", { credentials: "same-origin" });
          if (r.status === 401) showLogin("Your session ended: log in again.");
          else setTimeout(listen, 2000);
        } else {
          status("Connection lost; reconnecting…", true);
        }
      };
    }

    view.onLogs = (sprite, service) => {
      if (logStream) logStream.close();
      showLog(sprite, service, "Loading…");
      const q = new URLSearchParams({ sprite, service });
      logStream = new EventSource("/api/logs?" + q);
      logStream.addEventListener("tail", (e) => {
        const v = JSON.parse(e.data);
        showLog(v.sprite, v.service, v.text);
      });
      // The server's "error" event (the log cannot be read) ends the view;
      // a dropped connection (an error event without data) is retried.
      logStream.addEventListener("error", (e) => {
        if (!e.data) return;
        logStream.close();
        showLog(sprite, service, JSON.parse(e.data).error);
      });
    };

    view.onAction = async (sprite, service, action) => {
      const r = await fetch("/api/action", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ sprite, service, action }),
      });
      const body = await r.json().catch(() => ({}));
      if (r.status === 401) return showLogin("Your session ended: log in again.");
      status(r.ok ? "" : body.error || `${action} failed (${r.status})`, !r.ok);
    };

    $("login").addEventListener("submit", (e) => {
      e.preventDefault();
      const t = $("token").value;
      $("token").value = "";
      login(t);
    });
    $("logout").addEventListener("click", async () => {
      await fetch("/logout", { method: "POST", credentials: "same-origin" });
      view.rows.clear();
      showLogin("Logged out.");
    });
    $("log-close").addEventListener("click", () => {
      if (logStream) logStream.close();
      $("log").hidden = true;
    });
    session();
  }

  // ---- the MCP App ----

  // The protocol version of the MCP Apps extension this app speaks.
  const APPS_PROTOCOL = "2026-01-26";

  function mcpApp() {
    let nextId = 1;
    const pending = new Map();

    function post(msg) { window.parent.postMessage(msg, "*"); }
    function request(method, params) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ jsonrpc: "2.0", id, method, params });
      });
    }
    function notify(method, params) { post({ jsonrpc: "2.0", method, params: params || {} }); }

    // fromTool turns a service_list or service_get result into the view's
    // rows (the tools' ServiceInfo already holds the same fields).
    function fromTool(result) {
      const sc = result && result.structuredContent;
      if (!sc || !sc.sprite) return false;
      const list = sc.services || (sc.service ? [sc.service] : []);
      render(sc.sprite, list.map((s) => ({
        name: s.name, status: s.status, pid: s.pid, started_at: s.started_at,
        http_port: s.http_port, restart_count: s.restart_count, error: s.error,
      })));
      lastSprite = sc.sprite;
      status(result.isError ? "The tool reported an error." : "", !!result.isError);
      resized();
      return true;
    }
    let lastSprite = "";

    function resized() {
      notify("ui/notifications/size-changed", {
        width: document.documentElement.scrollWidth,
        height: document.documentElement.scrollHeight,
      });
    }

    window.addEventListener("message", (e) => {
      if (e.source !== window.parent) return;
      const msg = e.data;
      if (!msg || msg.jsonrpc !== "2.0") return;
      if (msg.id !== undefined && !msg.method) {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.error) p.reject(new Error(msg.error.message || "request failed"));
        else p.resolve(msg.result);
        return;
      }
      switch (msg.method) {
        case "ui/notifications/tool-result":
          if (!fromTool(msg.params)) status("This tool result has no services to show.", true);
          break;
        case "ui/resource-teardown":
          post({ jsonrpc: "2.0", id: msg.id, result: {} });
          break;
        case "ping":
          if (msg.id !== undefined) post({ jsonrpc: "2.0", id: msg.id, result: {} });
          break;
      }
    });

    $("refresh").addEventListener("click", async () => {
      try {
        const args = lastSprite ? { sprite: lastSprite } : {};
        fromTool(await request("tools/call", { name: "service_list", arguments: args }));
      } catch (err) {
        status("Refresh failed: " + err.message, true);
      }
    });
    view.onLogs = async (sprite, service) => {
      showLog(sprite, service, "Loading…");
      try {
        const uri = `sprites://${sprite}/services/${service}/logs`;
        const res = await request("resources/read", { uri });
        showLog(sprite, service, (res.contents && res.contents[0] && res.contents[0].text) || "");
      } catch (err) {
        showLog(sprite, service, "Cannot read the log: " + err.message);
      }
      resized();
    };
    $("log-close").addEventListener("click", () => { $("log").hidden = true; resized(); });

    request("ui/initialize", {
      protocolVersion: APPS_PROTOCOL,
      appInfo: { name: "sprites-mcp-services", version: "1" },
      appCapabilities: {},
    }).then(() => {
      notify("ui/notifications/initialized");
      status("Waiting for a tool result…");
    }, (err) => status("The host refused to initialise this app: " + err.message, true));
  }

  if (document.body.dataset.mode === "mcp-app") mcpApp();
  else dashboard();
})();
