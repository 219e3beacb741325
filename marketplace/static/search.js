// Search as you type: progressive enhancement only; without JavaScript the form submits as usual.
(function () {
  "use strict";
  var input = document.getElementById("search-q");
  if (!input || !window.fetch || !input.dataset.suggest) return;
  var list = document.createElement("ul");
  list.className = "suggest";
  list.id = "search-suggestions";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  input.parentNode.appendChild(list);
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-autocomplete", "list");
  var timer = null, controller = null, active = -1;
  var pagePrefix = location.pathname.replace(/\/search\/?$/, "");

  function close() { list.hidden = true; list.textContent = ""; active = -1; input.setAttribute("aria-expanded", "false"); }

  function show(items) {
    list.textContent = "";
    items.forEach(function (item, index) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "search-suggestion-" + index;
      var a = document.createElement("a");
      a.href = pagePrefix + item.url_path;
      a.textContent = item.text;  // textContent: suggestions are never parsed as HTML
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  function move(step) {
    var options = list.querySelectorAll("li");
    if (!options.length) return;
    if (active >= 0) options[active].removeAttribute("aria-selected");
    active = (active + step + options.length) % options.length;
    options[active].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value;
    if (text.trim().length < 2) { close(); return; }
    timer = setTimeout(function () {
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(input.dataset.suggest + "&q=" + encodeURIComponent(text), controller ? { signal: controller.signal } : {})
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (items) { if (input.value === text) show(items.slice(0, 8)); })
        .catch(function () { /* offline or aborted: the form still works */ });
    }, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      location.href = list.querySelectorAll("a")[active].href;
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
