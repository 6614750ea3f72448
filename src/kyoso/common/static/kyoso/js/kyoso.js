/*
 * Kyoso progressive enhancement. No dependencies; every page works without it.
 * Loaded with `defer` from 'self' (CSP script-src 'self'): no inline handlers anywhere.
 *
 * 1. [data-autosubmit]: submit the element's form when its value changes (filter forms).
 *    If the form carries hx-get/hx-post, htmx intercepts the submit and swaps in place.
 *    Keyboard users changing a <select> with the arrow keys would otherwise submit on
 *    every key press (Windows browsers fire `change` per arrow), so keyboard changes to a
 *    select wait for Enter or for focus to leave the control.
 * 2. [data-k-error-summary]: the form error summary is focused on load so that screen
 *    reader users hear it first (its links jump to the fields).
 * 3. htmx requests mark their target aria-busy while in flight.
 */
(function () {
  "use strict";

  var NAV_KEYS = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "PageUp", "PageDown", "Home", "End", " "];
  var byKeyboard = new WeakSet(); // selects last operated from the keyboard
  var pending = new WeakSet(); // selects whose value changed by keyboard, not yet submitted
  var valueOnFocus = new WeakMap();

  function submitFormOf(el) {
    var form = el.form || el.closest("form");
    pending.delete(el);
    if (!form) return;
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function isAutosubmitSelect(el) {
    return el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit");
  }

  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (!isAutosubmitSelect(el)) return;
    if (event.key === "Enter" && pending.has(el)) {
      event.preventDefault();
      submitFormOf(el);
    } else if (NAV_KEYS.indexOf(event.key) !== -1 || event.key.length === 1) {
      byKeyboard.add(el); // type-ahead letters change the value too
    }
  });

  document.addEventListener("focusin", function (event) {
    if (isAutosubmitSelect(event.target)) valueOnFocus.set(event.target, event.target.value);
  });

  document.addEventListener("pointerdown", function (event) {
    if (isAutosubmitSelect(event.target)) byKeyboard.delete(event.target);
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!(el instanceof Element) || !el.hasAttribute("data-autosubmit")) return;
    if (isAutosubmitSelect(el) && byKeyboard.has(el)) {
      pending.add(el); // wait for Enter or for focus to leave
      return;
    }
    submitFormOf(el);
  });

  document.addEventListener("focusout", function (event) {
    var el = event.target;
    if (!pending.has(el)) return;
    var next = event.relatedTarget;
    if (el.value === valueOnFocus.get(el) || (next && next.form === el.form && next.type === "submit")) {
      pending.delete(el); // back where it started, or the button the user moved to will submit
      return;
    }
    submitFormOf(el);
  });

  function focusErrorSummary() {
    var summary = document.querySelector("[data-k-error-summary]");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail && event.detail.target;
    if (target) target.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail && event.detail.target;
    if (target) target.removeAttribute("aria-busy");
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    var summary = target && target.querySelector && target.querySelector("[data-k-error-summary]");
    if (summary) summary.focus();
  });
})();
