// 换一张: the same captcha drawn anew. Without scripts the button stays
// hidden and the spoken captcha is the way round a picture hard to read.
(function () {
  "use strict";
  var n = 0;
  document.querySelectorAll(".captcha-reload").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      n++;
      document.getElementById("captcha-image").src = "/captcha/" + encodeURIComponent(b.getAttribute("data-captcha")) + "?v=" + n;
    });
  });
})();
