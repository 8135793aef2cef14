// The workbench's only script besides htmx (no inline scripts: the pages' CSP forbids them).
// It sends the session's CSRF token with every htmx request and makes sure a failed
// request always says why: a network failure, an empty answer or a JSON error body is
// shown in the page's alert box instead of leaving a blank.
(function () {
  "use strict";

  function showError(text) {
    var box = document.getElementById("flash");
    if (!box) { return; }
    box.textContent = text;
    box.hidden = false;
    box.focus();
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
  });

  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("flash");
    if (box) { box.hidden = true; box.textContent = ""; }
  });

  document.addEventListener("htmx:sendError", function () {
    showError("无法连接服务器，操作未保存。请检查网络后重试。");
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status < 400) { return; }
    var type = xhr.getResponseHeader("Content-Type") || "";
    var body = (xhr.responseText || "").trim();
    if (type.indexOf("application/json") === 0) {
      var message = "请求未能完成（" + xhr.status + "）";
      try { message = JSON.parse(body).message || message; } catch (e) { /* keep the default */ }
      event.detail.shouldSwap = false;
      showError(message);
    } else if (!body) {
      event.detail.shouldSwap = false;
      showError("请求未能完成（" + xhr.status + "），操作未保存。请刷新页面后重试。");
    }
  });
})();
