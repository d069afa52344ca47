/* chainkg chain map: draws the embedded graph with vis-network. Makes no network request.
 *
 * Hover texts arrive as data ({heading, rows, list}) and become DOM text nodes here,
 * never markup, so names from the data cannot inject HTML. For tests and benchmarks
 * the page exposes window.chainkgNetwork, chainkgNodes, chainkgEdges and, once vis has
 * drawn, window.chainkgDrawnAt (ms since navigation start).
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ck-data").textContent);

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function tooltip(info) {
    var box = el("div", "ck-tip");
    box.appendChild(el("div", "ck-tip-heading", info.heading));
    if (info.rows && info.rows.length) {
      var table = el("table");
      info.rows.forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(el("th", null, row[0]));
        tr.appendChild(el("td", null, row[1]));
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
    if (info.list && info.list.length) {
      if (info.list_heading) { box.appendChild(el("div", "ck-tip-sub", info.list_heading)); }
      var ul = el("ul");
      info.list.forEach(function (item) { ul.appendChild(el("li", null, item)); });
      box.appendChild(ul);
    }
    return box;
  }

  [data.nodes, data.edges].forEach(function (items) {
    items.forEach(function (item) { if (item.info) { item.title = tooltip(item.info); } });
  });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(document.getElementById("ck-map"), {nodes: nodes, edges: edges}, data.options);
  window.chainkgNodes = nodes;
  window.chainkgEdges = edges;
  window.chainkgNetwork = network;
  network.once("afterDrawing", function () {
    window.chainkgDrawnAt = performance.now();
    document.documentElement.setAttribute("data-drawn", "true");
  });

  // Stage headings above the columns, drawn on the canvas (text, not markup).
  network.on("beforeDrawing", function (ctx) {
    ctx.save();
    ctx.font = "bold 24px sans-serif";
    ctx.fillStyle = "#78909c";
    data.columns.forEach(function (c) { ctx.fillText(c.label, c.x - 20, c.y - 50); });
    ctx.restore();
  });

  // Search: every node whose name, label or id contains the text; Enter focuses the first.
  var input = document.getElementById("ck-search");
  var results = document.getElementById("ck-results");
  var index = data.nodes.map(function (n) {
    var name = (n.info && n.info.heading) || n.label || n.id;
    return {id: n.id, name: name, text: (name + " " + (n.label || "") + " " + n.id).toLowerCase()};
  });
  var LIMIT = 20;

  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, {scale: 1.2, animation: false});
  }

  function search() {
    var q = input.value.trim().toLowerCase();
    results.textContent = "";
    if (!q) { return []; }
    var hits = index.filter(function (entry) { return entry.text.indexOf(q) >= 0; });
    hits.slice(0, LIMIT).forEach(function (hit) {
      var li = el("li");
      var button = el("button", null, hit.name);
      button.type = "button";
      button.addEventListener("click", function () { focusNode(hit.id); });
      li.appendChild(button);
      results.appendChild(li);
    });
    if (hits.length > LIMIT) { results.appendChild(el("li", "ck-none", "… " + (hits.length - LIMIT) + " more")); }
    if (!hits.length) { results.appendChild(el("li", "ck-none", "no match 无匹配")); }
    return hits;
  }

  function searchAndFocus() {
    var hits = search();
    if (hits.length) { focusNode(hits[0].id); }
    return hits.map(function (hit) { return hit.id; });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".ck-goto"), function (button) {
    button.addEventListener("click", function () { focusNode(button.getAttribute("data-node")); });
  });
  input.addEventListener("input", search);
  input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { searchAndFocus(); } });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { input.value = ""; results.textContent = ""; }
  });
  window.chainkgSearch = function (q) { input.value = q; return searchAndFocus(); };
}());
