// Reminders as a notification on this phone (Web Push; waymark/tracking/push.py): only on the
// reminders page, and only an enhancement. Without JavaScript, or in a browser that cannot get
// push messages, the page's own sentence says so and email still works.
(function () {
  "use strict";

  function keyBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function sameKey(buffer, bytes) {
    var other = new Uint8Array(buffer || []);
    if (other.length !== bytes.length) {
      return false;
    }
    for (var i = 0; i < bytes.length; i++) {
      if (other[i] !== bytes[i]) {
        return false;
      }
    }
    return true;
  }

  function post(url, body) {
    var token = document.querySelector("input[name='csrfmiddlewaretoken']");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    });
  }

  function start(panel) {
    var supported =
      window.isSecureContext &&
      "serviceWorker" in navigator &&
      "PushManager" in window &&
      "Notification" in window;
    var key = panel.getAttribute("data-push-key");
    if (!supported || !key) {
      return; // the sentence that this phone cannot get notifications stays
    }
    var status = panel.querySelector("[data-push-status]");
    var turnOn = panel.querySelector("[data-push-on]");
    var turnOff = panel.querySelector("[data-push-off]");
    var serverKey = keyBytes(key);
    var unsupported = panel.querySelector("[data-push-unsupported]");
    unsupported.hidden = true;

    function show(state) {
      status.textContent = panel.getAttribute("data-text-" + state);
      turnOn.hidden = state === "on";
      turnOff.hidden = state !== "on";
      turnOn.disabled = turnOff.disabled = state === "working";
    }

    function blockedOr(state) {
      return Notification.permission === "denied" ? "denied" : state;
    }

    var ready = navigator.serviceWorker
      .register(panel.getAttribute("data-service-worker"), { scope: "/" }) // as phone.js does
      .then(function () {
        return navigator.serviceWorker.ready;
      });

    // A subscription made under another key (the server's was replaced) is dropped first.
    function subscription(registration) {
      return registration.pushManager.getSubscription().then(function (existing) {
        if (existing && sameKey(existing.options.applicationServerKey, serverKey)) {
          return existing;
        }
        var dropped = existing ? existing.unsubscribe() : Promise.resolve(true);
        return dropped.then(function () {
          return registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: serverKey,
          });
        });
      });
    }

    turnOn.addEventListener("click", function () {
      show("working");
      Notification.requestPermission()
        .then(function (permission) {
          if (permission !== "granted") {
            show(blockedOr("off"));
            return;
          }
          return ready
            .then(subscription)
            .then(function (made) {
              return post(panel.getAttribute("data-subscribe-url"), made.toJSON());
            })
            .then(function () {
              show("on");
            });
        })
        .catch(function () {
          show(blockedOr("failed"));
        });
    });

    turnOff.addEventListener("click", function () {
      show("working");
      ready
        .then(function (registration) {
          return registration.pushManager.getSubscription();
        })
        .then(function (existing) {
          if (!existing) {
            return;
          }
          var url = panel.getAttribute("data-unsubscribe-url");
          return post(url, { endpoint: existing.endpoint }).then(function () {
            return existing.unsubscribe();
          });
        })
        .then(function () {
          show("off");
        })
        .catch(function () {
          show("failed");
        });
    });

    ready
      .then(function (registration) {
        return registration.pushManager.getSubscription();
      })
      .then(function (existing) {
        var on = existing && Notification.permission === "granted";
        show(on ? "on" : blockedOr("off"));
      })
      .catch(function () {
        unsupported.hidden = false; // no service worker here after all
        turnOn.hidden = turnOff.hidden = true;
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.querySelector("[data-push-panel]");
    if (panel) {
      start(panel);
    }
  });
})();
