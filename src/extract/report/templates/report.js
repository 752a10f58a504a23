/* The report's behaviour: one page shown at a time (by the URL's #hash), search over the documents,
   and the record of a mark on hover, focus or click. Records come from each document's JSON; they are
   written into the page with textContent only, never as HTML. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var tip = document.getElementById("tip");
  var pinned = null;
  var dataCache = {};
  var textCache = {};
  var BASIS = { yoy: "year on year", mom: "month on month", annual_avg: "annual average", cumulative: "cumulative" };
  var LABELS = { PER: "person", LOC: "place", ORG: "organization" };

  function docData(section) {
    var id = section.id;
    if (!(id in dataCache)) {
      var node = section.querySelector("script.docdata");
      dataCache[id] = node ? JSON.parse(node.textContent) : { q: [], e: [], extra: [] };
    }
    return dataCache[id];
  }

  function num(v) {
    return v === null || v === undefined ? "" : Number(v).toLocaleString("en-US", { maximumFractionDigits: 4 });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function addRow(table, name, value, source) {
    if (value === null || value === undefined || value === "") return;
    var tr = el("tr");
    tr.appendChild(el("th", null, name));
    var td = el("td", null, value);
    if (source) td.appendChild(el("span", "src", "  · " + source));
    tr.appendChild(td);
    table.appendChild(tr);
  }

  function sourceOf(rec, field) {
    var parts = [];
    [field + "_source", field + "_from"].forEach(function (k) { if (rec[k]) parts.push("from " + rec[k]); });
    return parts.join(", ");
  }

  function fillQuantity(rec, extra, anchor, index) {
    tip.appendChild(el("div", "head", rec.text + "  (" + (rec.kind || "?") + ")"));
    var t = el("table");
    var value = num(rec.value) + (rec.value_high !== null && rec.value_high !== undefined ? "–" + num(rec.value_high) : "");
    addRow(t, "value", value + " " + (rec.unit || "") + (rec.unit_text && rec.unit_text !== rec.unit ? "   (written " + rec.unit_text + ")" : ""));
    addRow(t, "approx", rec.approx);
    addRow(t, "change", rec.change);
    addRow(t, "basis", rec.basis ? BASIS[rec.basis] || rec.basis : null);
    addRow(t, "metric", rec.metric || "—", sourceOf(rec, "metric"));
    addRow(t, "subject", rec.subject || "—", sourceOf(rec, "subject"));
    var period = rec.period_text ? rec.period_text + (rec.period_start || rec.period_end ?
      "  " + (rec.period_start || "…") + " .. " + (rec.period_end || "…") : "") : "—";
    addRow(t, "period", period, sourceOf(rec, "period"));
    extra.forEach(function (k) {
      if (!/_(source|from)$/.test(k) || !/^(metric|subject|period)_/.test(k)) addRow(t, k, rec[k]);
    });
    addRow(t, "where", "characters " + rec.start + "–" + rec.end + ", sentence " + rec.sentence);
    tip.appendChild(t);
    if (rec.statement) tip.appendChild(el("div", "context", rec.statement));
    if (rec.context) tip.appendChild(el("div", "context", "context: " + rec.context));
    var link = el("a", "src", "row " + (index + 1) + " in the facts table");
    link.href = "#" + anchor + "-row-q" + index;
    tip.appendChild(link);
  }

  function fillEntity(rec) {
    tip.appendChild(el("div", "head", rec.text + "  (" + (LABELS[rec.label] || rec.label) + ")"));
    var t = el("table");
    addRow(t, "label", rec.label);
    addRow(t, "found by", rec.source);
    addRow(t, "where", "characters " + rec.start + "–" + rec.end + ", sentence " + rec.sentence);
    tip.appendChild(t);
  }

  function showTip(mark) {
    var section = mark.closest("section.doc");
    if (!section) return;
    var data = docData(section);
    var ref = mark.getAttribute("data-ref");
    var index = parseInt(ref.slice(1), 10);
    tip.textContent = "";
    if (ref[0] === "q") fillQuantity(data.q[index], data.extra || [], section.id, index);
    else fillEntity(data.e[index]);
    tip.hidden = false;
    var box = mark.getBoundingClientRect();
    var left = Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8));
    var top = window.scrollY + box.bottom + 6;
    if (box.bottom + tip.offsetHeight + 12 > window.innerHeight && box.top > tip.offsetHeight + 12) {
      top = window.scrollY + box.top - tip.offsetHeight - 6;
    }
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }

  function hideTip() {
    tip.hidden = true;
    tip.classList.remove("pinned");
    pinned = null;
  }

  function markOf(node) { return node && node.closest ? node.closest("mark[data-ref]") : null; }

  document.addEventListener("mouseover", function (ev) {
    var mark = markOf(ev.target);
    if (mark && !pinned) showTip(mark);
  });
  document.addEventListener("mouseout", function (ev) {
    var mark = markOf(ev.target);
    if (mark && !pinned && !markOf(ev.relatedTarget) && !tip.contains(ev.relatedTarget)) tip.hidden = true;
  });
  document.addEventListener("focusin", function (ev) {
    var mark = markOf(ev.target);
    if (mark && !pinned) showTip(mark);
  });
  document.addEventListener("click", function (ev) {
    var mark = markOf(ev.target);
    if (mark) {
      pinned = mark;
      showTip(mark);
      tip.classList.add("pinned");
      ev.stopPropagation();
    } else if (!tip.contains(ev.target)) {
      hideTip();
    }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") hideTip();
    var mark = markOf(ev.target);
    if (mark && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); mark.click(); }
  });

  /* the facts table of a document, from its JSON, the first time the document is shown */
  function buildFacts(section) {
    var slot = section.querySelector(".facts-slot");
    if (!slot || slot.getAttribute("data-built")) return;
    slot.setAttribute("data-built", "1");
    var data = docData(section);
    if (!data.q.length) { slot.appendChild(el("p", "muted", "No quantities in this document.")); return; }
    var table = el("table", "grid facts");
    var head = el("tr");
    ["#", "as written", "value", "unit", "change", "basis", "metric", "subject", "period"].concat(data.extra)
      .forEach(function (name) { head.appendChild(el("th", null, name)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    data.q.forEach(function (q, i) {
      var tr = el("tr");
      tr.id = section.id + "-row-q" + i;
      tr.appendChild(el("td", "num", i + 1));
      var link = el("a", "jump", q.text);
      link.href = "#" + section.id + "-q" + i;
      tr.appendChild(el("td")).appendChild(link);
      tr.appendChild(el("td", "num", data.values[i]));
      [q.unit, q.change, q.basis, q.metric, q.subject].forEach(function (v) { tr.appendChild(el("td", null, v)); });
      var period = tr.appendChild(el("td", null, q.period_text));
      if (q.period_text && data.periods[i]) period.appendChild(el("span", "muted", " " + data.periods[i]));
      data.extra.forEach(function (k) { tr.appendChild(el("td", null, q[k])); });
      body.appendChild(tr);
    });
    slot.appendChild(table);
  }

  function flash(node) {
    node.classList.add("flash");
    setTimeout(function () { node.classList.remove("flash"); }, 1600);
  }

  function route() {
    var hash = decodeURIComponent(location.hash.slice(1));
    var pageId = hash.split("-")[0] || "overview";
    var page = document.getElementById(pageId);
    if (!page || !page.classList.contains("page")) { pageId = "overview"; page = document.getElementById("overview"); }
    document.querySelectorAll(".page.shown").forEach(function (p) { p.classList.remove("shown"); });
    page.classList.add("shown");
    if (page.classList.contains("doc")) buildFacts(page);
    document.querySelectorAll("#doclist li").forEach(function (li) {
      li.classList.toggle("current", (li.getAttribute("data-doc") || "overview") === pageId);
    });
    hideTip();
    var target = hash && hash !== pageId ? document.getElementById(hash) : null;
    if (target) {
      target.scrollIntoView({ block: "center" });
      flash(target);
      if (target.matches("mark[data-ref]")) { pinned = target; showTip(target); tip.classList.add("pinned"); }
    } else {
      window.scrollTo(0, 0);
    }
  }
  window.addEventListener("hashchange", route);

  var search = document.getElementById("search");
  var matches = document.getElementById("matches");
  var items = Array.prototype.slice.call(document.querySelectorAll("#doclist li[data-doc]"));
  function haystack(li) {
    var id = li.getAttribute("data-doc");
    if (!(id in textCache)) {
      var section = document.getElementById(id);
      textCache[id] = (li.textContent + " " + (section ? section.textContent : "")).toLowerCase();
    }
    return textCache[id];
  }
  function filter() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (li) {
      var text = words.length ? haystack(li) : "";
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      li.hidden = !ok;
      if (ok) shown += 1;
    });
    matches.textContent = shown + " of " + items.length + " documents";
  }
  search.addEventListener("input", filter);
  search.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    var first = items.filter(function (li) { return !li.hidden; })[0];
    if (first) location.hash = "#" + first.getAttribute("data-doc");
  });
  route();
})();
