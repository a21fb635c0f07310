// Charts and the entity picker. Everything here has a plain-HTML equivalent: the period links
// and the picker's Add button work without JavaScript.
(function () {
  "use strict";

  // --- zoom by brushing: drag across a chart to set from/to; the page goes to that URL, so the
  // zoom is bookmarkable and Back undoes it.
  function brushable(svg) {
    if (svg.dataset.brushReady) return;
    svg.dataset.brushReady = "1";
    var first = Date.parse(svg.dataset.first), last = Date.parse(svg.dataset.last);
    var x0 = +svg.dataset.x0, x1 = +svg.dataset.x1, width = +svg.dataset.width;
    var band = svg.querySelector(".brush");
    var start = null, dragged = false;
    function toX(ev) {
      var r = svg.getBoundingClientRect();
      return Math.min(Math.max((ev.clientX - r.left) * width / r.width, x0), x1);
    }
    function day(x) {
      return new Date(first + (x - x0) / (x1 - x0) * (last - first)).toISOString().slice(0, 10);
    }
    svg.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0) return;
      start = toX(ev);
      dragged = false;
    });
    svg.addEventListener("pointermove", function (ev) {
      if (start === null) return;
      var x = toX(ev);
      if (Math.abs(x - start) > 6) dragged = true;
      if (!dragged) return;
      ev.preventDefault();
      band.style.display = "";
      band.setAttribute("x", Math.min(x, start));
      band.setAttribute("width", Math.abs(x - start));
    });
    window.addEventListener("pointerup", function (ev) {
      if (start === null) return;
      var s = start, x = toX(ev);
      start = null;
      if (!dragged) return;
      var url = new URL(svg.dataset.href, window.location.href);
      url.searchParams.set("from", day(Math.min(s, x)));
      url.searchParams.set("to", day(Math.max(s, x)));
      url.searchParams.delete("page");
      window.location.assign(url.toString());
    });
    // The click that ends a drag must not also open the bar or marker under the pointer.
    svg.addEventListener("click", function (ev) {
      if (dragged) { ev.preventDefault(); ev.stopPropagation(); dragged = false; }
    }, true);
    svg.addEventListener("dragstart", function (ev) { ev.preventDefault(); });
  }

  // --- the entity picker: a combobox over server-rendered options (htmx fills the listbox).
  function picker(root) {
    if (root.dataset.pickerReady) return;
    root.dataset.pickerReady = "1";
    var input = root.querySelector("[role=combobox]");
    var list = root.querySelector("[role=listbox]");
    var active = -1;
    function options() { return Array.prototype.slice.call(list.querySelectorAll("[role=option][data-value]")); }
    function show(index) {
      var opts = options();
      opts.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && opts[index]) {
        input.setAttribute("aria-activedescendant", opts[index].id);
        opts[index].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(option) {
      var url = new URL(window.location.href);
      if (url.pathname !== "/timeline") url = new URL("/timeline", window.location.href);
      var param = option.dataset.param, value = option.dataset.value;
      if (url.searchParams.getAll(param).indexOf(value) < 0) url.searchParams.append(param, value);
      window.location.assign(url.toString());
    }
    new MutationObserver(function () {
      var open = list.children.length > 0;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      list.hidden = !open;
      show(-1);
    }).observe(list, {childList: true});
    list.hidden = true;
    input.addEventListener("keydown", function (ev) {
      var opts = options();
      if (ev.key === "ArrowDown" && opts.length) { ev.preventDefault(); show((active + 1) % opts.length); }
      else if (ev.key === "ArrowUp" && opts.length) { ev.preventDefault(); show(active <= 0 ? opts.length - 1 : active - 1); }
      else if (ev.key === "Enter" && active >= 0 && opts[active]) { ev.preventDefault(); choose(opts[active]); }
      else if (ev.key === "Escape") { list.innerHTML = ""; }
    });
    list.addEventListener("click", function (ev) {
      var option = ev.target.closest("[role=option][data-value]");
      if (option) choose(option);
    });
  }

  function init(root) {
    root.querySelectorAll("svg[data-brush]").forEach(brushable);
    root.querySelectorAll("[data-picker]").forEach(picker);
  }
  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    // htmx swaps in new charts: set them up too.
    new MutationObserver(function () { init(document); }).observe(document.body, {childList: true, subtree: true});
  });
})();
