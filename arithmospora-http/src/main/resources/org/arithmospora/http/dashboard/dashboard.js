/*
 * The dashboard: lays itself out from the source's "available" message, so it works against
 * any Arithmospora server. Open it with ?url=ws://host:port/source; served by a server with a
 * [web] table, it lists that server's sources.
 */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const url = params.get("url") || window.ARITHMOSPORA_DEFAULT_URL;
  const fmt = new Intl.NumberFormat();

  // Served by an Arithmospora server, the page knows its sources: one link each.
  const served = window.ARITHMOSPORA_SOURCES || [];
  if (served.length > 0 && window.ARITHMOSPORA_URL_OF) {
    const nav = $("sources");
    for (const name of served) {
      const a = document.createElement("a");
      const target = window.ARITHMOSPORA_URL_OF(name);
      a.href = "?url=" + encodeURIComponent(target);
      a.textContent = name;
      if (target === url) a.setAttribute("aria-current", "page");
      nav.appendChild(a);
    }
    nav.hidden = false;
  }

  $("source-url").value = url || "";
  $("source-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const next = new URL(location.href);
    next.searchParams.set("url", $("source-url").value.trim());
    location.href = next.toString();
  });
  if (!url) {
    setState("closed", "no source: give ?url=ws://host:port/source");
    return;
  }

  const client = new Arithmospora.Client(url);
  const views = new Map(); // event -> render function

  client.onState((state, c) => {
    if (state === "reconnecting" && c.nextAttemptAt) {
      const seconds = Math.max(0, Math.round((c.nextAttemptAt - Date.now()) / 1000));
      setState(state, "reconnecting in " + seconds + " s");
    } else {
      setState(state, state);
    }
  });

  client.on("available", (groups) => layout(groups));
  client.on("*", (payload, event) => {
    const view = views.get(event);
    if (view && event.startsWith("stats:")) {
      view(payload);
      $("updated").textContent = new Date().toLocaleTimeString();
    }
  });
  client.on("milestone", (m) => addMilestone(m));

  function setState(state, text) {
    const el = $("state");
    el.className = "state " + state;
    el.textContent = text;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function percent(x) {
    return (Math.round(x * 10) / 10).toFixed(1);
  }

  function layout(groups) {
    views.clear();
    $("figures").replaceChildren();
    $("groups").replaceChildren();
    $("tables").replaceChildren();
    $("timeline-charts").replaceChildren();
    const proportion = groups.proportion || [];
    const overall = proportion.includes("total") ? "total" : proportion[0];
    if (overall) {
      views.set("stats:proportion:" + overall, renderOverall);
    }
    proportion.filter((k) => k !== overall).forEach((key) => addBars("stats:proportion:" + key, key));
    (groups.rolling || []).forEach((key) => addFigure("stats:rolling:" + key, key, "rolling"));
    (groups.other || []).forEach((key) => addOther("stats:other:" + key, key));
    (groups.timed || []).forEach((key) => addTimeline("stats:timed:" + key, key));
    // Stats that arrived before the layout (a reconnect) are drawn at once.
    Object.entries(client.stats()).forEach(([event, payload]) => {
      const view = views.get(event);
      if (view) view(payload);
    });
  }

  function renderOverall(stat) {
    const d = stat.data;
    $("turnout-percent").textContent = percent(d.percentage);
    $("turnout-count").textContent = fmt.format(d.current);
    $("turnout-total").textContent = fmt.format(d.total);
    $("turnout-bar").style.width = Math.min(100, d.percentage) + "%";
  }

  function addBars(event, key) {
    const section = el("section");
    section.append(el("h2", null, "Turnout by " + key));
    const rows = el("div");
    section.append(rows);
    $("groups").append(section);
    views.set(event, (stat) => {
      rows.replaceChildren();
      const walk = (points, depth) => {
        Object.values(points).sort((a, b) => a.name.localeCompare(b.name)).forEach((dp) => {
          rows.append(barRow(dp.name, dp.data, depth));
          if (depth < 2) walk(dp.dataPoints || {}, depth + 1);
        });
      };
      walk(stat.dataPoints || {}, 0);
    });
  }

  function barRow(name, data, depth) {
    const row = el("div", "row depth" + depth);
    row.append(el("span", "name", name));
    const bar = el("div", "bar");
    const fill = el("div", "fill");
    fill.style.width = Math.min(100, data.percentage || 0) + "%";
    bar.append(fill);
    row.append(bar);
    row.append(el("span", "value", percent(data.percentage || 0) + "%"));
    row.title = fmt.format(data.current) + " of " + fmt.format(data.total);
    return row;
  }

  function addFigure(event, key, kind) {
    const card = el("section", "card");
    card.append(el("h2", null, key.replace(":", " · ")));
    const value = el("div", "figure", "–");
    const sub = el("p", "muted", "");
    card.append(value, sub);
    $("figures").append(card);
    views.set(event, (stat) => {
      const d = stat.data;
      if (kind === "rolling") {
        value.textContent = fmt.format(d.current) + " votes";
        sub.textContent = "peak " + fmt.format(d.peak) + " (" + percent(d.peakPercentage) + "% of electorate)";
      } else {
        const values = Object.values(d);
        value.textContent = values.length === 1 ? fmt.format(values[0]) : "–";
      }
      card.classList.remove("flash");
      void card.offsetWidth;
      card.classList.add("flash");
    });
  }

  function addOther(event, key) {
    // Single values become figures; anything with several fields, a table.
    let target = null;
    views.set(event, (stat) => {
      const entries = Object.entries(stat.data);
      if (!target) {
        if (entries.length === 1 && entries[0][0] === stat.name) {
          addFigure(event, key, "single");
        } else {
          addTable(event, key);
        }
        target = views.get(event);
      }
      target(stat);
    });
  }

  function addTable(event, key) {
    const section = el("section");
    section.append(el("h2", null, key));
    const table = el("table");
    section.append(table);
    $("tables").append(section);
    views.set(event, (stat) => {
      table.replaceChildren();
      Object.entries(stat.data).sort((a, b) => b[1] - a[1]).forEach(([name, n]) => {
        const tr = el("tr");
        tr.append(el("td", null, name), el("td", "num", fmt.format(n)));
        table.append(tr);
      });
    });
  }

  function addTimeline(event, key) {
    const box = el("div");
    $("timeline-charts").append(box);
    views.set(event, (stat) => {
      box.replaceChildren();
      Object.values(stat.dataPoints || {})
        .sort((a, b) => Number(a.name) - Number(b.name))
        .forEach((period) => box.append(chart(key, period)));
    });
  }

  function chart(key, period) {
    const granularity = Number(period.name);
    const buckets = Object.entries(period.data).map(([b, n]) => [Number(b), n]).sort((a, b) => a[0] - b[0]);
    const wrap = el("figure");
    const label = granularity >= 3600 ? (granularity / 3600) + " h" : granularity >= 60 ? (granularity / 60) + " min" : granularity + " s";
    wrap.append(el("figcaption", "muted", key + " per " + label));
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "chart");
    svg.setAttribute("viewBox", "0 0 600 160");
    svg.setAttribute("preserveAspectRatio", "none");
    const max = Math.max(1, ...buckets.map((b) => b[1]));
    const width = 600 / Math.max(1, buckets.length);
    buckets.forEach(([bucket, n], i) => {
      const h = (n / max) * 140;
      const r = document.createElementNS(ns, "rect");
      r.setAttribute("x", (i * width + width * 0.1).toFixed(2));
      r.setAttribute("width", (width * 0.8).toFixed(2));
      r.setAttribute("y", (150 - h).toFixed(2));
      r.setAttribute("height", h.toFixed(2));
      const title = document.createElementNS(ns, "title");
      title.textContent = new Date(bucket * granularity * 1000).toLocaleTimeString() + ": " + n;
      r.append(title);
      svg.append(r);
    });
    const axis = document.createElementNS(ns, "line");
    axis.setAttribute("class", "axis");
    axis.setAttribute("x1", "0");
    axis.setAttribute("x2", "600");
    axis.setAttribute("y1", "150");
    axis.setAttribute("y2", "150");
    svg.append(axis);
    const top = document.createElementNS(ns, "text");
    top.setAttribute("x", "2");
    top.setAttribute("y", "10");
    top.textContent = "max " + max;
    svg.append(top);
    wrap.append(svg);
    return wrap;
  }

  function addMilestone(m) {
    $("no-milestones").hidden = true;
    const li = el("li", "flash");
    const time = el("time", null, new Date(m.achievedWhen).toLocaleTimeString());
    time.dateTime = m.achievedWhen;
    li.append(time, document.createTextNode(m.message || m.name));
    $("milestones").prepend(li);
  }
})();
