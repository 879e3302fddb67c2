// Waymark on a phone, as progressive enhancement (every page works without this file): the
// service worker, the install hint, today's check-in kept on the phone with no connection and
// sent when it returns, and clearing the phone at sign-out. The words come from the page
// (waymark/templates/waymark/phone/_device.html and the check-in form's data-* attributes).
(function () {
  "use strict";

  var queue = window.WaymarkQueue;
  var status = document.getElementById("device-status");
  var PRIVATE_CACHE = "waymark-private"; // as in sw.js

  function person() {
    return status ? status.getAttribute("data-person") : null;
  }

  function signedOut() {
    return !!status && status.hasAttribute("data-signed-out");
  }

  // Polite words in the status region (role=status); `link` adds the sign-in link.
  function say(text, link) {
    if (!status || !text) {
      return;
    }
    status.textContent = text + " ";
    if (link) {
      var a = document.createElement("a");
      a.href = status.getAttribute("data-sign-in-url");
      a.textContent = status.getAttribute("data-sign-in-link");
      status.appendChild(a);
    }
  }

  function words(name) {
    return status ? status.getAttribute("data-" + name) : "";
  }

  function pageToken() {
    var input = document.querySelector("input[name='csrfmiddlewaretoken']");
    return input ? input.value : "";
  }

  // --- The service worker and the install hint ---------------------------------------------

  function registerWorker() {
    if (!("serviceWorker" in navigator) || !status) {
      return;
    }
    navigator.serviceWorker.register(status.getAttribute("data-worker"), { scope: "/" }).catch(function () {
      // No worker (a private window, an old browser): the site works as before.
    });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "checkins-sent") {
        say(words("sent"));
      }
    });
  }

  function offerInstall() {
    var offer = null;
    var hints = document.querySelectorAll("[data-install-hint]");
    window.addEventListener("beforeinstallprompt", function (event) {
      event.preventDefault(); // shown on our page, when the person wants it, not as a pop-up
      offer = event;
      Array.prototype.forEach.call(hints, function (hint) {
        hint.hidden = false;
      });
    });
    function hide() {
      Array.prototype.forEach.call(hints, function (hint) {
        hint.hidden = true;
      });
    }
    window.addEventListener("appinstalled", hide);
    Array.prototype.forEach.call(document.querySelectorAll("[data-install]"), function (button) {
      button.addEventListener("click", function () {
        if (offer) {
          offer.prompt();
          offer = null;
        }
        hide();
      });
    });
  }

  // --- Check-ins kept on the phone -------------------------------------------------------

  // The site's date today (the server's "today" is in its time zone, not the phone's).
  function siteToday(timeZone) {
    try {
      return new Intl.DateTimeFormat("en-CA", {
        timeZone: timeZone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
      }).format(new Date());
    } catch (error) {
      return null;
    }
  }

  // A check-in page kept by the worker may be from an earlier day: "today" moves on, and the
  // answers shown were that day's, so they are cleared.
  function moveToToday(form) {
    var today = siteToday(form.getAttribute("data-time-zone"));
    var day = form.getAttribute("data-day");
    if (!form.hasAttribute("data-today") || !today || today === day) {
      return;
    }
    form.setAttribute("data-day", today);
    form.setAttribute("action", form.getAttribute("action").replace(day, today));
    var shown = document.querySelector("[data-day-words]");
    if (shown) {
      var date = new Date(today + "T12:00:00");
      shown.textContent = date.toLocaleDateString(document.documentElement.lang || undefined, {
        weekday: "long",
        month: "long",
        day: "numeric",
      });
    }
    var note = document.querySelector("[data-day-note]");
    if (note) {
      note.hidden = true;
    }
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.type === "radio" || field.type === "checkbox") {
        field.checked = false;
      } else if (field.tagName === "TEXTAREA" || field.type === "number" || field.type === "text") {
        field.value = "";
      }
    });
  }

  function askSync() {
    if (!("serviceWorker" in navigator)) {
      return;
    }
    navigator.serviceWorker.ready
      .then(function (registration) {
        return registration.sync && registration.sync.register("checkins");
      })
      .catch(function () {
        // No Background Sync: the next page load or the `online` event sends it.
      });
  }

  function keepOffline(form, submitter) {
    var data = new FormData(form);
    var message = form.getAttribute("data-" + queue.problem(data));
    if (submitter && submitter.value === "calculate") {
      message = form.getAttribute("data-calculator-offline");
    }
    if (message) {
      say(message);
      status.scrollIntoView({ block: "center" }); // Save is at the foot of a long form
      return;
    }
    var key = form.querySelector("input[name='idempotency_key']");
    var row = queue.fromForm(data, form.getAttribute("data-day"), key && key.value, person(), pageToken());
    queue.keep(row).then(function () {
      if (key) {
        key.value = queue.newKey(); // changed answers are a new submission
      }
      say(words("saved"));
      status.scrollIntoView({ block: "center" });
      askSync();
    });
  }

  function offlineForm() {
    var form = document.querySelector("form[data-offline-form]");
    if (!form || !queue) {
      return;
    }
    // A new key for each page shown: a page kept by the worker may hold one already used.
    var key = form.querySelector("input[name='idempotency_key']");
    if (key) {
      key.value = queue.newKey();
    }
    moveToToday(form);
    form.addEventListener("submit", function (event) {
      if (navigator.onLine !== false) {
        return; // online: the ordinary POST (the worker keeps it if the signal drops)
      }
      event.preventDefault();
      keepOffline(form, event.submitter);
    });
  }

  var sending = null;

  // Send what waits on this phone for the person signed in here (or kept by the worker,
  // which cannot tell whose page it was); never someone else's.
  function sendWaiting() {
    if (!queue || !status || sending) {
      return sending;
    }
    var me = person();
    function mine(row) {
      return !row.person || row.person === me;
    }
    sending = queue
      .all()
      .then(function (rows) {
        if (!rows.length) {
          return;
        }
        if (status.hasAttribute("data-person-unknown")) {
          say(words("saved")); // the worker's offline page: nobody is signed in on it
          return;
        }
        if (signedOut()) {
          say(words("sign-in"), true); // the session ended; sign-out would have cleared them
          return;
        }
        if (!rows.filter(mine).length) {
          return;
        }
        if (navigator.onLine === false) {
          say(words("saved"));
          askSync();
          return;
        }
        return queue.sendAll(pageToken(), mine).then(function (outcomes) {
          if (outcomes.indexOf("refused") !== -1) {
            say(words("refused"));
          } else if (outcomes.indexOf("sign-in") !== -1) {
            say(words("sign-in"), true);
          } else if (outcomes.indexOf("waiting") !== -1) {
            say(words("saved"));
            askSync();
          } else {
            say(words("sent"));
          }
        });
      })
      .catch(function () {
        // No IndexedDB here (a private window): nothing can be waiting.
      })
      .then(function () {
        sending = null;
      });
    return sending;
  }

  // --- Signed out: nothing private stays ---------------------------------------------------

  function clearThisPhone() {
    var done = [queue ? queue.clear() : Promise.resolve()];
    if (window.caches) {
      done.push(
        caches.keys().then(function (names) {
          return Promise.all(names.map(function (name) {
            return caches.delete(name);
          }));
        })
      );
    }
    return Promise.all(done).catch(function () {});
  }

  function clearAtSignOut() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sign-out]"), function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var submitted = false;
        function submit() {
          if (!submitted) {
            submitted = true;
            form.submit();
          }
        }
        clearThisPhone().then(submit);
        setTimeout(submit, 2000); // never keep someone from signing out
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (signedOut() && window.caches) {
      caches.delete(PRIVATE_CACHE); // the check-in and call pages were someone's
    }
    offerInstall();
    offlineForm();
    clearAtSignOut();
    sendWaiting();
    window.addEventListener("online", sendWaiting);
  });
  window.addEventListener("load", registerWorker); // after the page, not competing with it
})();
