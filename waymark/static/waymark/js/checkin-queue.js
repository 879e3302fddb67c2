// Check-ins kept on this phone until they reach Waymark: one IndexedDB store, one day a row,
// each with its idempotency key. Shared by the pages (phone.js) and the service worker
// (/sw.js, through importScripts), so both read the form and send the same way.
//
// Sent to POST /api/v1/checkins with the row's Idempotency-Key: however often a row is sent,
// the server records it once (waymark/api/tracking.py).
(function (scope) {
  "use strict";

  var DATABASE = "waymark";
  var STORE = "checkins";
  var API = "/api/v1/checkins";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "day" });
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  // One transaction; resolves with what `work` returns (an IDBRequest's result, once done).
  function transact(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        tx.onerror = tx.onabort = function () {
          db.close();
          reject(tx.error);
        };
      });
    });
  }

  function newKey() {
    if (scope.crypto.randomUUID) {
      return scope.crypto.randomUUID();
    }
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function filled(value) {
    return value !== null && String(value).trim() !== "";
  }

  // What is wrong with a check-in form's answers before it can be kept ("" for nothing): the
  // server checks everything again; these are the mistakes a person can fix now.
  function problem(data) {
    var used = data.get("used");
    if (used !== "yes" && used !== "no") {
      return "answer";
    }
    var wrong = "";
    data.forEach(function (value, name) {
      if (name.indexOf("amount-") !== 0 || !filled(value)) {
        return;
      }
      var amount = Number(String(value).trim());
      if (isNaN(amount) || amount < 0) {
        wrong = wrong || "number";
      } else if (used === "no" && amount > 0) {
        wrong = wrong || "no-but-amount";
      }
    });
    return wrong;
  }

  // A check-in form's answers as the API takes them (the calculator's fields are left out).
  function answers(data) {
    var result = {
      used: data.get("used") === "yes",
      amounts: {},
      triggers: data.getAll("triggers"),
      helped: data.getAll("helped"),
      note: String(data.get("note") || ""),
    };
    data.forEach(function (value, name) {
      if (name.indexOf("amount-") === 0 && filled(value)) {
        result.amounts[name.slice("amount-".length)] = Number(String(value).trim());
      }
    });
    ["cravings", "mood"].forEach(function (name) {
      if (filled(data.get(name))) {
        result[name] = Number(data.get(name));
      }
    });
    return result;
  }

  // A row to keep: `key` is the submission's idempotency key, `person` whose page it came
  // from (null when not known), `token` the page's CSRF token for a worker that sends alone.
  function fromForm(data, day, key, person, token) {
    return {
      day: day,
      key: key || newKey(),
      answers: answers(data),
      person: person || null,
      token: token || String(data.get("csrfmiddlewaretoken") || ""),
      created: new Date().toISOString(),
    };
  }

  function keep(row) {
    return transact("readwrite", function (store) {
      return store.put(row);
    });
  }

  function all() {
    return transact("readonly", function (store) {
      return store.getAll();
    });
  }

  // Forget a row once sent, unless a newer check-in for its day replaced it meanwhile.
  function forget(row) {
    return transact("readwrite", function (store) {
      var request = store.get(row.day);
      request.onsuccess = function () {
        if (request.result && request.result.key === row.key) {
          store.delete(row.day);
        }
      };
      return null;
    });
  }

  function clear() {
    return new Promise(function (resolve) {
      var request = scope.indexedDB.deleteDatabase(DATABASE);
      request.onsuccess = request.onerror = request.onblocked = function () {
        resolve();
      };
    });
  }

  // "sent" (recorded now or before), "sign-in" (no session, or its CSRF token is stale: kept),
  // "refused" (the server will never take it: forgotten) or "waiting" (no connection: kept).
  function send(row, token) {
    var body = { day: row.day };
    Object.keys(row.answers).forEach(function (name) {
      body[name] = row.answers[name];
    });
    return scope
      .fetch(API, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Idempotency-Key": row.key,
          "X-CSRFToken": token || row.token,
        },
        body: JSON.stringify(body),
      })
      .then(
        function (response) {
          if (response.ok) {
            return forget(row).then(function () {
              return "sent";
            });
          }
          if (response.status === 401 || response.status === 403) {
            return "sign-in";
          }
          if (response.status === 400 || response.status === 409 || response.status === 422) {
            return forget(row).then(function () {
              return "refused";
            });
          }
          return "waiting";
        },
        function () {
          return "waiting";
        }
      );
  }

  // Send every row that `mine` allows, one after another; resolves with the outcomes.
  function sendAll(token, mine) {
    return all().then(function (rows) {
      var outcomes = [];
      return rows
        .filter(mine || Boolean)
        .reduce(function (done, row) {
          return done.then(function () {
            return send(row, token).then(function (outcome) {
              outcomes.push(outcome);
            });
          });
        }, Promise.resolve())
        .then(function () {
          return outcomes;
        });
    });
  }

  scope.WaymarkQueue = {
    newKey: newKey,
    problem: problem,
    fromForm: fromForm,
    keep: keep,
    all: all,
    clear: clear,
    send: send,
    sendAll: sendAll,
  };
})(self);
