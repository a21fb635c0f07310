// chipwatch: what the search page does on top of htmx 4 (pages work without this file).
// - every htmx request from the search page carries the query and sort as they are in the form
//   now, typed or chosen but not yet submitted;
// - text typed while a request loads is kept when the results swap in;
// - after a swap, focus returns to the control that was used, the view scrolls to the results'
//   top when that is above the screen, and the result count is announced (#result-status);
// - on narrow screens the filters start closed and stay as the reader left them.
(function () {
  "use strict";
  var pending = null; // {q, key, id} of the request in flight

  function form() { return document.querySelector("#search form.searchbar"); }

  document.addEventListener("htmx:config:request", function (evt) {
    var ctx = evt.detail.ctx, source = ctx.sourceElement, f = form();
    if (!f || !source || !source.closest || !source.closest("#search")) return;
    if ((ctx.request.method || "GET").toUpperCase() !== "GET") return;
    var q = f.elements.q ? f.elements.q.value : "", sort = f.elements.sort ? f.elements.sort.value : "";
    var isPager = source.matches && source.matches("a[rel=prev], a[rel=next]");
    if (!f.contains(source) && !isPager) {
      // Set on the URL itself: a link's request has no form body to merge.
      var url = new URL(ctx.request.action, document.baseURI), params = new URLSearchParams();
      // The server's order (one view, one URL): q first, sort before expand and paging.
      if (q.trim()) params.append("q", q);
      url.searchParams.forEach(function (value, key) {
        if (key === "q" || key === "sort") return;
        if (sort && !params.has("sort") && /^(expand|page|per_page)$/.test(key)) params.append("sort", sort);
        params.append(key, value);
      });
      if (sort && !params.has("sort")) params.append("sort", sort);
      url.search = params.toString();
      ctx.request.action = url.pathname + url.search;
    }
    var active = document.activeElement;
    pending = {
      q: q,
      key: source.getAttribute && source.getAttribute("data-key"),
      id: active && active.id && f.contains(active) ? active.id : null,
      inMore: !!(source.matches && source.matches("details.morebox"))
    };
  });

  var typed = null, drawerOpen = null;
  document.addEventListener("htmx:before:swap", function () {
    var f = form(), box = document.querySelector("#search .filterbox");
    typed = null;
    if (f && f.elements.q && pending && f.elements.q.value !== pending.q) {
      typed = f.elements.q.value; // typed while loading: keep it
    }
    drawerOpen = box ? box.open : null;
  });

  document.addEventListener("htmx:after:swap", function () {
    var search = document.getElementById("search");
    if (!search || !pending) return;
    var done = pending;
    pending = null;
    if (done.inMore) return; // the "All N" box filling itself: nothing moved
    var f = form(), box = search.querySelector(".filterbox");
    if (typed !== null && f && f.elements.q) f.elements.q.value = typed;
    if (box && drawerOpen !== null) box.open = drawerOpen;
    var target = null;
    if (done.key) {
      var matches = search.querySelectorAll("[data-key]");
      for (var i = 0; i < matches.length; i++) {
        if (matches[i].getAttribute("data-key") === done.key) { target = matches[i]; break; }
      }
    }
    if (!target && done.id) target = document.getElementById(done.id);
    var results = document.getElementById("results");
    if (!target) target = results;
    if (target) target.focus({ preventScroll: true });
    if (results && results.getBoundingClientRect().top < 0) {
      results.scrollIntoView({ block: "start" });
    }
    var count = search.querySelector(".total-count"), status = document.getElementById("result-status");
    if (count && status) status.textContent = count.textContent.trim();
  });
})();
