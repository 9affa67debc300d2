// "Copy link" under each post, and a few keyboard shortcuts (listed on the help page, /help).
// Progressive enhancement: without this script "Copy link" is a plain link to the post's
// permanent address, and nothing else depends on it. Loaded from this origin only (strict CSP).
"use strict";

(function () {
  const announcer = document.getElementById("announcer");
  let current = null; // the post moved to with j / k

  function announce(message) {
    if (!announcer) {
      return;
    }
    // Emptied first, so the same message twice is announced twice.
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = message;
    }, 50);
  }

  function absolute(link) {
    return new URL(link.getAttribute("href"), window.location.href).href;
  }

  function copyWithSelection(text) {
    // For pages served without HTTPS, where navigator.clipboard does not exist.
    const field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.appendChild(field);
    field.select();
    let done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    field.remove();
    return done;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () {
          return true;
        },
        function () {
          return copyWithSelection(text);
        }
      );
    }
    return Promise.resolve(copyWithSelection(text));
  }

  function copied(link, ok) {
    const url = absolute(link);
    if (ok) {
      const label = link.dataset.label || link.textContent;
      link.dataset.label = label;
      link.classList.add("copied");
      link.textContent = announcer ? announcer.dataset.copied : label;
      window.setTimeout(function () {
        link.textContent = label;
        link.classList.remove("copied");
      }, 2500);
      announce(announcer ? announcer.dataset.copied : "");
    } else {
      // Nothing on the clipboard: show the address, selected, for the reader to copy.
      announce((announcer ? announcer.dataset.copyFailed + " " : "") + url);
      window.prompt(announcer ? announcer.dataset.copyFailed : "", url);
    }
  }

  function copyLink(link) {
    copy(absolute(link)).then(function (ok) {
      copied(link, ok);
    });
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("a[data-copy-link]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
      return; // a middle click or Ctrl+click still opens the link
    }
    event.preventDefault();
    copyLink(link);
  });

  // Keyboard shortcuts.

  function typing(target) {
    if (!target || target === document.body) {
      return false;
    }
    if (target.isContentEditable) {
      return true;
    }
    const name = target.tagName;
    return name === "INPUT" || name === "TEXTAREA" || name === "SELECT";
  }

  function posts() {
    return Array.prototype.slice.call(document.querySelectorAll("article.post[id]"));
  }

  function moveTo(post) {
    if (current) {
      current.classList.remove("current-post");
    }
    current = post;
    post.classList.add("current-post");
    if (!post.hasAttribute("tabindex")) {
      post.setAttribute("tabindex", "-1");
    }
    post.focus({ preventScroll: true });
    post.scrollIntoView({ block: "start" });
  }

  function step(direction) {
    const all = posts();
    if (!all.length) {
      return false;
    }
    let index = current ? all.indexOf(current) : -1;
    if (index === -1) {
      // From where the reader is: the first post below the top of the window.
      index = direction > 0 ? -1 : all.length;
      for (let i = 0; i < all.length; i += 1) {
        if (all[i].getBoundingClientRect().top > 1) {
          index = direction > 0 ? i - 1 : i;
          break;
        }
      }
    }
    const next = Math.min(all.length - 1, Math.max(0, index + direction));
    moveTo(all[next]);
    return true;
  }

  function reply() {
    const link = current && current.querySelector("a.reply-link");
    if (link) {
      link.click(); // quote.js fills the form; without it the link prefills it on the server
      return true;
    }
    const body = document.querySelector(".reply-box textarea[name='body']");
    if (body) {
      body.focus();
      body.scrollIntoView({ block: "center" });
      return true;
    }
    return false;
  }

  function search() {
    const field = document.querySelector("#header-q, main input[type='search'][name='q']");
    if (!field) {
      return false;
    }
    field.focus();
    field.select();
    return true;
  }

  function help() {
    const link = document.querySelector("link[rel='help']");
    if (!link) {
      return false;
    }
    window.location.href = link.href + "#shortcuts";
    return true;
  }

  function copyCurrent() {
    const link = current && current.querySelector("a[data-copy-link]");
    if (!link) {
      return false;
    }
    copyLink(link);
    return true;
  }

  // By the key's place as well as its letter, so a Persian (or any other) layout works too.
  const byCode = { KeyJ: "j", KeyK: "k", KeyR: "r", KeyC: "c" };

  function keyOf(event) {
    if (event.key === "?" || (event.code === "Slash" && event.shiftKey)) {
      return "?";
    }
    if (event.key === "/" || event.code === "Slash") {
      return "/";
    }
    if (event.shiftKey) {
      return null;
    }
    const key = (event.key || "").toLowerCase();
    return "jkrc".indexOf(key) !== -1 && key.length === 1 ? key : byCode[event.code] || null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    if (typing(event.target) || event.defaultPrevented) {
      return;
    }
    const actions = {
      j: function () { return step(1); },
      k: function () { return step(-1); },
      r: reply,
      c: copyCurrent,
      "/": search,
      "?": help,
    };
    const key = keyOf(event);
    if (key && actions[key] && actions[key]()) {
      event.preventDefault();
    }
  });
})();
