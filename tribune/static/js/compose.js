// Writing without losing (issue 16), for every textarea the server marks data-compose:
// - a live character counter against the server's limit (the server checks it too and never
//   cuts: there is no maxlength, which would silently drop the end of a pasted text);
// - a preview rendered by the server with the pipeline that saves posts (compose/preview);
// - a draft kept in this browser while typing, offered back after a navigation or a crash,
//   cleared once the text was sent and accepted, and on logout.
// No inline script or style anywhere: the page's CSP stays strict.
"use strict";

(function () {
  const PREFIX = "tribune-draft:";
  const SENT = "tribune-draft-sent";
  const locale = document.documentElement.lang || "en";
  const numbers = new Intl.NumberFormat(locale);

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_match, name) {
      return name in values ? values[name] : "";
    });
  }

  function length(text) {
    // Characters as the server counts them (code points, line ends as one).
    return Array.from(text.replace(/\r\n/g, "\n").trim()).length;
  }

  function storage(kind) {
    try {
      const store = window[kind];
      const probe = PREFIX + "probe";
      store.setItem(probe, "1");
      store.removeItem(probe);
      return store;
    } catch (error) {
      return null; // private mode, storage off: everything else still works
    }
  }

  const local = storage("localStorage");
  const session = storage("sessionStorage");

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function draftKey(form, area) {
    const action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    return PREFIX + action.pathname + action.search + "#" + area.name;
  }

  // A text sent on the previous page is forgotten once the server accepted it: the page that
  // follows shows no error on that form.
  function forgetSentDraft() {
    if (!session || !local) {
      return;
    }
    const sent = session.getItem(SENT);
    session.removeItem(SENT);
    if (!sent) {
      return;
    }
    let refused = false;
    document.querySelectorAll("textarea[data-compose]").forEach(function (area) {
      const form = area.form;
      if (form && draftKey(form, area) === sent && form.querySelector(".error, .form-error")) {
        refused = true;
      }
    });
    if (!refused) {
      local.removeItem(sent);
    }
  }

  function setUp(area) {
    const form = area.form;
    if (!form) {
      return;
    }
    const limit = parseInt(area.dataset.limit || "0", 10);
    const tools = element("div", "compose-tools");
    const counter = element("p", "char-counter");
    counter.setAttribute("aria-live", "polite");
    counter.id = area.id + "-counter";
    area.setAttribute("aria-describedby", ((area.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
    tools.appendChild(counter);
    const previewButton = element("button", "button small secondary preview-button", area.dataset.textPreview);
    previewButton.type = "button";
    tools.appendChild(previewButton);
    const previewBox = element("section", "preview-box");
    previewBox.hidden = true;
    area.insertAdjacentElement("afterend", tools);
    tools.insertAdjacentElement("afterend", previewBox);

    function count() {
      const n = length(area.value);
      counter.textContent = fill(area.dataset.textCount, { n: numbers.format(n), limit: numbers.format(limit) });
      if (limit && n > limit) {
        counter.classList.add("over-limit");
        counter.textContent += " " + fill(area.dataset.textOver, { over: numbers.format(n - limit) });
      } else {
        counter.classList.remove("over-limit");
      }
    }

    previewButton.addEventListener("click", function () {
      // URL-encoded, as the site's forms send (multipart is refused at the door).
      const data = new URLSearchParams();
      const token = form.querySelector("input[name='csrf_token']");
      if (token) {
        data.append("csrf_token", token.value);
      }
      data.append("body", area.value);
      previewButton.disabled = true;
      fetch(area.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) {
          return response.text().then(function (html) {
            return { ok: response.ok || response.status === 400, html: html };
          });
        })
        .then(function (result) {
          previewBox.replaceChildren();
          previewBox.appendChild(element("h3", "preview-title", area.dataset.textPreviewTitle));
          const body = element("div", "preview-content");
          if (result.ok) {
            // Sanitized by the server exactly as a saved post is; the CSP forbids any script.
            body.innerHTML = result.html;
          } else {
            body.appendChild(element("p", "error", area.dataset.textPreviewFailed));
          }
          previewBox.appendChild(body);
          previewBox.hidden = false;
        })
        .catch(function () {
          previewBox.replaceChildren(element("p", "error", area.dataset.textPreviewFailed));
          previewBox.hidden = false;
        })
        .finally(function () {
          previewButton.disabled = false;
        });
    });

    area.addEventListener("input", count);
    count();

    if (!local) {
      return;
    }
    const key = draftKey(form, area);
    let timer = null;
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (area.value.trim()) {
          local.setItem(key, JSON.stringify({ text: area.value, at: Date.now() }));
        } else {
          local.removeItem(key);
        }
      }, 400);
    });
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      if (area.value.trim()) {
        local.setItem(key, JSON.stringify({ text: area.value, at: Date.now() }));
      }
      if (session) {
        session.setItem(SENT, key);
      }
    });

    let saved = null;
    try {
      saved = JSON.parse(local.getItem(key) || "null");
    } catch (error) {
      saved = null;
    }
    if (!saved || typeof saved.text !== "string" || !saved.text.trim() || saved.text === area.value) {
      return;
    }
    const offer = element("div", "notice draft-offer");
    offer.setAttribute("role", "status");
    const when = new Date(saved.at || Date.now()).toLocaleString(locale);
    offer.appendChild(element("span", "", fill(area.dataset.textDraft, { when: when }) + " "));
    const restore = element("button", "button small", area.dataset.textRestore);
    restore.type = "button";
    const discard = element("button", "link-button", area.dataset.textDiscard);
    discard.type = "button";
    offer.appendChild(restore);
    offer.appendChild(discard);
    area.insertAdjacentElement("beforebegin", offer);
    restore.addEventListener("click", function () {
      area.value = saved.text;
      count();
      offer.remove();
      area.focus();
    });
    discard.addEventListener("click", function () {
      local.removeItem(key);
      offer.remove();
    });
  }

  forgetSentDraft();
  document.querySelectorAll("textarea[data-compose]").forEach(setUp);

  // Drafts stay on this device only; logging out (a shared computer) forgets them all.
  document.querySelectorAll("form[action$='/accounts/logout']").forEach(function (form) {
    form.addEventListener("submit", function () {
      if (!local) {
        return;
      }
      const keys = [];
      for (let i = 0; i < local.length; i += 1) {
        if (local.key(i).startsWith(PREFIX)) {
          keys.push(local.key(i));
        }
      }
      keys.forEach(function (name) {
        local.removeItem(name);
      });
    });
  });
})();
