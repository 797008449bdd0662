// Session timeout warning. Shown WarnBefore the session ends; 继续办理 extends
// it without leaving the page, so nothing typed is lost. If the session has
// already ended, the form's values are kept in this tab (sessionStorage) and
// put back after the person logs in again and returns to the same page.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  var key = "opcert-form:" + location.pathname + location.search;
  restore();
  if (!box) return;
  var ends = Number(box.getAttribute("data-ends"));
  var warn = Number(box.getAttribute("data-warn"));
  var text = document.getElementById("session-warning-text");
  var button = document.getElementById("session-extend");
  var timer;

  function schedule() {
    clearTimeout(timer);
    var wait = ends - warn - Date.now();
    timer = setTimeout(show, Math.max(wait, 0));
  }
  function show() {
    if (Date.now() >= ends) { expired(); return; }
    box.hidden = false;
    button.focus();
    timer = setTimeout(show, Math.min(ends - Date.now(), 30000));
  }
  function expired() {
    save();
    box.hidden = false;
    text.textContent = "登录已失效。您在本页填写的内容已暂时保存在本浏览器中，请重新登录后回到本页继续。";
    button.textContent = "重新登录";
    button.onclick = function () { location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); };
  }
  button.onclick = function () {
    fetch("/session/extend", { method: "POST", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(); })
      .then(function (j) { ends = j.ends; box.hidden = true; schedule(); })
      .catch(expired);
  };
  schedule();

  function fields() {
    return Array.prototype.filter.call(document.querySelectorAll("form input, form select, form textarea"), function (el) {
      return el.name && el.type !== "password" && el.type !== "hidden" && el.type !== "file";
    });
  }
  function save() {
    var data = {};
    fields().forEach(function (el) {
      data[el.name + "|" + (el.type === "radio" || el.type === "checkbox" ? el.value : "")] =
        el.type === "radio" || el.type === "checkbox" ? el.checked : el.value;
    });
    try { sessionStorage.setItem(key, JSON.stringify(data)); } catch (e) {}
  }
  function restore() {
    var raw;
    try { raw = sessionStorage.getItem(key); sessionStorage.removeItem(key); } catch (e) { return; }
    if (!raw) return;
    var data = JSON.parse(raw);
    fields().forEach(function (el) {
      var k = el.name + "|" + (el.type === "radio" || el.type === "checkbox" ? el.value : "");
      if (!(k in data)) return;
      if (el.type === "radio" || el.type === "checkbox") el.checked = data[k]; else el.value = data[k];
    });
  }
})();
