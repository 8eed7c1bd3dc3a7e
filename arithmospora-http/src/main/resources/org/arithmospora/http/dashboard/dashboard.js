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

  // The source form is for developers: hidden unless asked for, or when there is no source.
  $("change-source").addEventListener("click", (e) => {
    e.preventDefault();
    $("source-form").hidden = !$("source-form").hidden;
  });
  if (!url || params.has("edit")) $("source-form").hidden = false;

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

  // Labels from the server's configuration (served in defaults.js), else made from the keys.
  const sourceName = decodeURIComponent(new URL(url, location.href).pathname.replace(/^\//, ""));
  const labels = (window.ARITHMOSPORA_LABELS || {})[sourceName] || {};
  function statLabel(group, key) {
    const given = labels[group + ":" + key];
    if (given && given.label) return given.label;
    const [period, name] = key.includes(":") ? key.split(":") : [null, key];
    const words = name.replace(/[_-]+/g, " ");
    const nice = words.charAt(0).toUpperCase() + words.slice(1);
    return period ? nice + " (last " + period + ")" : nice;
  }
  function pointLabel(group, key, name) {
    const given = labels[group + ":" + key];
    return (given && given.dataPoints && given.dataPoints[name]) || name;
  }

  // While reconnecting the badge counts down each second and the numbers are dimmed.
  let countdown = null;
  client.onState((state, c) => {
    clearInterval(countdown);
    document.body.classList.toggle("stale", state === "reconnecting" || state === "closed");
    if (state === "reconnecting" && c.nextAttemptAt) {
      const tick = () => {
        const seconds = Math.max(0, Math.ceil((c.nextAttemptAt - Date.now()) / 1000));
        setState(state, "reconnecting in " + seconds + " s");
      };
      tick();
      countdown = setInterval(tick, 1000);
    } else {
      setState(state, state);
    }
  });

  client.on("available", (groups) => layout(groups));
  client.on("*", (payload, event) => {
    const view = views.get(event);
    if (view && event.startsWith("stats:")) {
      view(payload);
      const now = new Date().toLocaleTimeString();
      $("updated").textContent = now;
      $("updated-top").textContent = now;
    }
  });
  client.on("milestone", (m) => addMilestone(m));
  // Protocol 2: the milestones met before this page connected (sent again after a reconnect).
  client.on("milestones", (list) => {
    $("milestones").replaceChildren();
    $("no-milestones").hidden = list.length > 0;
    list.forEach((m) => addMilestone(m));
  });

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
    $("overall").hidden = !overall;
    proportion.filter((k) => k !== overall).forEach((key) => addBars("stats:proportion:" + key, key));
    (groups.rolling || []).forEach((key) => addFigure("stats:rolling:" + key, statLabel("rolling", key), "rolling"));
    (groups.other || []).forEach((key) => addOther("stats:other:" + key, key));
    (groups.timed || []).forEach((key) => addTimeline("stats:timed:" + key, key));
    // Groups with nothing in them are not shown at all.
    $("timeline").hidden = !(groups.timed || []).length;
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
    section.append(el("h2", null, statLabel("proportion", key)));
    const rows = el("div");
    section.append(rows);
    $("groups").append(section);
    views.set(event, (stat) => {
      rows.replaceChildren();
      const walk = (points, depth) => {
        Object.values(points).sort((a, b) => a.name.localeCompare(b.name)).forEach((dp) => {
          rows.append(barRow(pointLabel("proportion", key, dp.name), dp.data, depth));
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
    card.append(el("h2", null, key));
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
        value.textContent = values.length === 1 && typeof values[0] === "number" ? fmt.format(values[0]) : "–";
      }
      highlight(card);
    });
  }

  // A soft mark on a card whose numbers changed, at most every 4 s per card: several updates a
  // second must not turn every card into a blinking light.
  const lastHighlight = new WeakMap();
  function highlight(node) {
    const now = Date.now();
    if (now - (lastHighlight.get(node) || 0) < 4000) return;
    lastHighlight.set(node, now);
    node.classList.remove("flash");
    void node.offsetWidth;
    node.classList.add("flash");
  }

  function addOther(event, key) {
    // Single values become figures, hashes of numbers a table (candidates, with shares), and
    // anything else (a custom type) a list of its fields: never "NaN".
    let target = null;
    views.set(event, (stat) => {
      const entries = Object.entries(stat.data || {});
      if (!target) {
        if (entries.length === 1 && entries[0][0] === stat.name && typeof entries[0][1] === "number") {
          addFigure(event, statLabel("other", key), "single");
        } else if (entries.length > 0 && entries.every(([, v]) => typeof v === "number")) {
          addTable(event, key);
        } else {
          addFields(event, key);
        }
        target = views.get(event);
      }
      target(stat);
    });
  }

  function addFields(event, key) {
    const section = el("section");
    section.append(el("h2", null, statLabel("other", key)));
    const list = el("dl", "kv");
    section.append(list);
    $("tables").append(section);
    const show = (v) => {
      if (typeof v === "number") return fmt.format(v);
      if (Array.isArray(v)) {
        return v
          .map((item) => {
            if (item && typeof item === "object") {
              const name = item.name ?? item.label ?? "";
              const n = Object.entries(item).find(([k, x]) => k !== "name" && typeof x === "number");
              return n ? name + " " + show(n[1]) : name;
            }
            return String(item);
          })
          .join(", ");
      }
      if (v && typeof v === "object") return JSON.stringify(v);
      return String(v);
    };
    views.set(event, (stat) => {
      list.replaceChildren();
      Object.entries(stat.data || {}).forEach(([name, v]) => {
        list.append(el("dt", null, name), el("dd", null, show(v)));
      });
    });
  }

  function addTable(event, key) {
    const section = el("section");
    section.append(el("h2", null, statLabel("other", key)));
    const rows = el("div");
    section.append(rows);
    $("tables").append(section);
    views.set(event, (stat) => {
      rows.replaceChildren();
      const entries = Object.entries(stat.data).sort((a, b) => b[1] - a[1]);
      const total = entries.reduce((sum, [, n]) => sum + n, 0);
      entries.forEach(([name, n]) => {
        const share = total === 0 ? 0 : (n / total) * 100;
        const row = barRow(pointLabel("other", key, name), { percentage: share, current: n, total: total }, 0);
        row.querySelector(".value").textContent = fmt.format(n) + " · " + percent(share) + "%";
        rows.append(row);
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
    const filled = buckets.filter(([, n]) => n > 0).length;
    wrap.append(
      el("figcaption", "muted", statLabel("timed", key) + " per " + label +
        (filled < buckets.length ? " — later buckets fill as time passes" : "")));
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "chart");
    svg.setAttribute("viewBox", "0 0 600 180");
    const max = Math.max(1, ...buckets.map((b) => b[1]));
    const width = 600 / Math.max(1, buckets.length);
    const clock = (bucket) =>
      new Date(bucket * granularity * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    buckets.forEach(([bucket, n], i) => {
      const h = (n / max) * 130;
      const r = document.createElementNS(ns, "rect");
      r.setAttribute("x", (i * width + width * 0.1).toFixed(2));
      r.setAttribute("width", (width * 0.8).toFixed(2));
      r.setAttribute("y", (150 - h).toFixed(2));
      r.setAttribute("height", h.toFixed(2));
      const title = document.createElementNS(ns, "title");
      title.textContent = clock(bucket) + ": " + n;
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
    // Clock times under the axis: first, middle and last bucket (phones have no tooltips).
    if (buckets.length > 0) {
      const marks = [0, Math.floor((buckets.length - 1) / 2), buckets.length - 1];
      [...new Set(marks)].forEach((i, j, all) => {
        const t = document.createElementNS(ns, "text");
        t.setAttribute("class", "tick");
        t.setAttribute("x", (i * width + width / 2).toFixed(2));
        t.setAttribute("y", "168");
        t.setAttribute("text-anchor", j === 0 ? "start" : j === all.length - 1 ? "end" : "middle");
        t.textContent = clock(buckets[i][0]);
        svg.append(t);
      });
    }
    // The running total of the bars, on its own scale: how turnout built up, not only when. It
    // stops at the bucket under way: buckets still to come have no total yet.
    const now = Date.now();
    const begun = buckets.filter(([bucket]) => bucket * granularity * 1000 <= now);
    let sum = 0;
    const cumulative = begun.map(([, n]) => (sum += n));
    const total = Math.max(1, sum);
    if (begun.length > 1) {
      const line = document.createElementNS(ns, "polyline");
      line.setAttribute("class", "cumulative");
      line.setAttribute(
        "points",
        cumulative.map((c, i) => (i * width + width / 2).toFixed(2) + "," + (150 - (c / total) * 130).toFixed(2)).join(" "));
      svg.append(line);
    }
    const top = document.createElementNS(ns, "text");
    top.setAttribute("x", "2");
    top.setAttribute("y", "12");
    top.textContent = "most in a " + label + " bucket: " + fmt.format(max);
    svg.append(top);
    const runningTotal = document.createElementNS(ns, "text");
    runningTotal.setAttribute("class", "cumulative-label");
    runningTotal.setAttribute("x", "598");
    runningTotal.setAttribute("y", "12");
    runningTotal.setAttribute("text-anchor", "end");
    runningTotal.textContent = "line: running total of these bars, " + fmt.format(sum);
    svg.append(runningTotal);
    wrap.append(svg);
    return wrap;
  }

  function addMilestone(m) {
    $("no-milestones").hidden = true;
    const li = el("li");
    highlight(li);
    const time = el("time", null, new Date(m.achievedWhen).toLocaleTimeString());
    time.dateTime = m.achievedWhen;
    li.append(time, document.createTextNode(m.message || m.name));
    $("milestones").prepend(li);
  }
})();
