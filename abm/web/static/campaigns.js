// Live audience counts and live template previews for the campaign editors.
// The pages work without this script: their buttons post the whole form.
(function () {
  "use strict";

  function debounce(fn, ms) {
    let timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  // Posts the form to `url`; `show` gets the JSON answer. Only the latest answer is shown.
  function live(form, url, show) {
    let asked = 0;
    const ask = debounce(function () {
      const mine = ++asked;
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                   headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { if (mine === asked) { show(data); } })
        .catch(function () { /* offline or logged out: the buttons still work */ });
    }, 350);
    form.addEventListener("input", ask);
    form.addEventListener("change", ask);
    return ask;
  }

  function text(id, value) {
    const el = document.getElementById(id);
    if (el) { el.textContent = value; }
  }

  function number(n) {
    return new Intl.NumberFormat(document.documentElement.lang || "en").format(n);
  }

  // Picking or typing a value of an unused rule puts the rule to use with its usual operator.
  function defaultOperators(form) {
    form.querySelectorAll("tr[data-default-op]").forEach(function (row) {
      const op = row.querySelector("select[name^='op-']");
      row.querySelectorAll("[name^='value-']").forEach(function (input) {
        function use() {
          const given = input.type === "checkbox" ? input.checked : input.value !== "";
          if (op && !op.value && given) { op.value = row.dataset.defaultOp; }
        }
        input.addEventListener("input", use);
        input.addEventListener("change", use);
      });
    });
  }

  function audience(form) {
    defaultOperators(form);
    live(form, form.dataset.countUrl, function (data) {
      const error = document.getElementById("audience-error");
      error.hidden = !data.error;
      error.textContent = data.error || "";
      if (data.error) { return; }
      text("live-accounts", number(data.accounts));
      text("live-with-recipients", number(data.accounts_with_recipients));
      text("live-contacts", number(data.contacts));
      text("live-unreachable", number(data.unreachable.total));
      ["no_consent", "unsubscribed", "bounced", "invalid_address"].forEach(function (reason) {
        text("live-unreachable-" + reason, number(data.unreachable[reason]));
      });
      const list = document.getElementById("live-sample");
      list.replaceChildren();
      data.sample.forEach(function (s) {
        const item = document.createElement("li");
        item.textContent = s.name + " (" + s.contacts + ")";
        list.appendChild(item);
      });
    });
  }

  function preview(form) {
    live(form, form.dataset.previewUrl, function (data) {
      const error = document.getElementById("preview-error");
      const message = document.getElementById("preview-message");
      error.hidden = !data.error;
      error.textContent = data.error || "";
      message.hidden = Boolean(data.error);
      if (data.error) { return; }
      text("preview-subject", data.subject);
      text("preview-text", data.text);
      // The message is served from its own address, with a policy that lets its inline
      // styles apply in the sandboxed frame (a srcdoc frame would inherit this page's).
      document.getElementById("preview-html").src = data.frame_url;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const audienceForm = document.getElementById("audience-form");
    if (audienceForm) { audience(audienceForm); }
    const templateForm = document.getElementById("template-form");
    if (templateForm) { preview(templateForm); }
  });
})();
