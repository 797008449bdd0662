// The desktop waits for the phone's 确认登录 and enters by itself; without
// scripts the 刷新 button does the same.
(function () {
  "use strict";
  var panel = document.getElementById("qr-panel");
  if (!panel) return;
  var token = panel.getAttribute("data-token");
  var next = panel.getAttribute("data-next");
  function poll() {
    fetch("/login/qr/check?format=json&t=" + encodeURIComponent(token) + "&next=" + encodeURIComponent(next),
      { credentials: "same-origin", headers: { "X-Opcert-Poll": "1" } })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.state === "confirmed") { location.href = j.next; return; }
        if (j.state === "expired") { location.href = "/login/qr/check?t=" + encodeURIComponent(token) + "&next=" + encodeURIComponent(next); return; }
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
