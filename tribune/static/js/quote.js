// Quoting and answering posts in the reply form. Progressive enhancement: without this script
// the "Quote" and "Reply" links under each post prefill the form through the server.
"use strict";

(function () {
  const form = document.querySelector(".reply-box form");
  const list = form && form.querySelector(".quote-list");
  const template = document.getElementById("quote-template");
  if (!form || !list || !template) {
    return;
  }
  const body = form.querySelector("textarea[name='body']");
  const replyTo = form.querySelector("input[name='reply_to']");
  const max = parseInt(list.dataset.max || "5", 10);
  const firstQuoteLink = document.querySelector(".quote-link");
  const quoteLabel = firstQuoteLink ? firstQuoteLink.textContent.trim() : "“…”";

  function articleOf(node) {
    const element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest("article.post") : null;
  }

  function authorOf(article) {
    const author = article.querySelector(".post-head .author");
    return author ? author.textContent.trim() : "";
  }

  function nextIndex() {
    let index = 0;
    list.querySelectorAll("input[name^='quotes-']").forEach(function (input) {
      const match = /^quotes-(\d+)-/.exec(input.name);
      if (match) {
        index = Math.max(index, parseInt(match[1], 10) + 1);
      }
    });
    return index;
  }

  function wireRemove(entry) {
    const button = entry.querySelector(".quote-remove");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        entry.remove();
      });
    }
  }

  function addQuote(article, passage) {
    passage = passage.trim();
    if (!passage || list.querySelectorAll(".quote-entry").length >= max) {
      return;
    }
    const postId = article.id.replace(/^p/, "");
    const index = String(nextIndex());
    const entry = template.content.firstElementChild.cloneNode(true);
    entry.querySelectorAll("[name], [id], [for]").forEach(function (element) {
      ["name", "id", "for"].forEach(function (attribute) {
        const value = element.getAttribute(attribute);
        if (value) {
          element.setAttribute(attribute, value.replace("__index__", index));
        }
      });
    });
    const legend = entry.querySelector("legend");
    legend.textContent = legend.textContent.replace("__name__", authorOf(article));
    entry.querySelector("input[type='hidden']").value = postId;
    entry.querySelector("textarea").value = passage;
    wireRemove(entry);
    list.appendChild(entry);
    if (replyTo && !replyTo.value) {
      replyTo.value = postId;
    }
    form.scrollIntoView({ behavior: "smooth", block: "start" });
    if (body) {
      body.focus({ preventScroll: true });
    }
  }

  function selectedPassage(article) {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      return "";
    }
    const container = selection.getRangeAt(0).commonAncestorContainer;
    const element = container.nodeType === 1 ? container : container.parentElement;
    // Only the original text of one post can be quoted (not translations, not across posts).
    if (!element || !element.closest("[data-quotable]")) {
      return "";
    }
    if (article && articleOf(element) !== article) {
      return "";
    }
    return selection.toString();
  }

  list.querySelectorAll(".quote-entry").forEach(wireRemove);

  // The links under each post: quote the selection in that post (or all of it), or answer it.
  document.querySelectorAll(".quote-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      const article = articleOf(link);
      const quotable = article && article.querySelector("[data-quotable]");
      if (!quotable) {
        return;
      }
      event.preventDefault();
      addQuote(article, selectedPassage(article) || quotable.innerText);
    });
  });
  document.querySelectorAll(".reply-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!replyTo) {
        return;
      }
      event.preventDefault();
      replyTo.value = link.dataset.replyTo;
      form.scrollIntoView({ behavior: "smooth", block: "start" });
      if (body) {
        body.focus({ preventScroll: true });
      }
    });
  });

  // Select words in a post: a "Quote" button appears beside the selection.
  const floating = document.createElement("button");
  floating.type = "button";
  floating.className = "button small quote-selection";
  floating.textContent = quoteLabel;
  floating.hidden = true;
  document.body.appendChild(floating);
  let pending = null;

  function place() {
    const passage = selectedPassage(null);
    const selection = window.getSelection();
    if (!passage.trim()) {
      floating.hidden = true;
      pending = null;
      return;
    }
    const range = selection.getRangeAt(0);
    const rect = range.getBoundingClientRect();
    pending = { article: articleOf(range.commonAncestorContainer), passage: passage };
    floating.style.top = String(window.scrollY + rect.bottom + 6) + "px";
    floating.style.left = String(Math.max(8, window.scrollX + rect.left)) + "px";
    floating.hidden = false;
  }

  document.addEventListener("mouseup", function (event) {
    if (event.target !== floating) {
      window.setTimeout(place, 0);
    }
  });
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey || event.key === "Shift") {
      place();
    }
  });
  floating.addEventListener("mousedown", function (event) {
    event.preventDefault(); // keep the selection
  });
  floating.addEventListener("click", function () {
    if (pending && pending.article) {
      addQuote(pending.article, pending.passage);
    }
    floating.hidden = true;
    window.getSelection().removeAllRanges();
  });
})();
