// Waymark's service worker: the only one, for the whole site (scope "/"). Served at /sw.js by
// waymark/phone/views.py, which fills in the values in double braces (this file is a Django
// template: never write two opening braces, or a brace and a percent or hash sign, in the
// code). Never cached, so a change reaches phones at their next visit. Runs under the strict
// CSP: nothing from another origin, no eval. Sections:
//   1. What is kept
//   2. Install and activate
//   3. Pages and files (fetch)
//   4. Check-ins kept on the phone (a form sent with no signal; Background Sync)
//   5. Reminders pushed to the phone (Web Push: push, notificationclick)
// Add a new section at the end, after section 4.
"use strict";

importScripts({{ queue_script|safe }}); // self.WaymarkQueue, shared with the pages

// --- 1. What is kept ---------------------------------------------------------------------
// The pages' own files and a public offline page, for everyone; the check-in and call pages
// of the person signed in, only for them (phone.js drops them on any signed-out page, and
// sign-out clears everything). Nothing else: no other page, no API answer.
const VERSION = {{ version|safe }};
const FILES_CACHE = "waymark-files-" + VERSION;
const PAGES_CACHE = "waymark-pages-" + VERSION;
const PRIVATE_CACHE = "waymark-private"; // as in phone.js
const FILES = {{ files|safe }};
const FILES_HAVE_HASHES = {{ files_have_hashes|safe }}; // a changed file gets a new name
const STATIC_URL = {{ static_url|safe }};
const OFFLINE_PAGE = {{ offline_page|safe }};
const PRIVATE_PAGES = {{ private_pages|safe }}; // today's check-in first
const CHECKIN_FORM = /^\/track\/(\d{4}-\d{2}-\d{2})\/$/; // where a day's check-in is posted
const WAIT_FOR_PAGE_MS = 4000; // then the kept page, on a signal too weak to load it
const WAIT_FOR_SAVE_MS = 15000; // then the check-in is kept on the phone

function after(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms, null));
}

// --- 2. Install and activate -------------------------------------------------------------

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      await (await caches.open(FILES_CACHE)).addAll(FILES);
      // Without cookies: the same page for everyone, nobody's menu in it.
      const offline = new Request(OFFLINE_PAGE, { credentials: "omit" });
      await (await caches.open(PAGES_CACHE)).add(offline);
      await self.skipWaiting();
    })()
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const current = [FILES_CACHE, PAGES_CACHE, PRIVATE_CACHE];
      for (const name of await caches.keys()) {
        if (!current.includes(name)) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })()
  );
});

// --- 3. Pages and files (fetch) ------------------------------------------------------------

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate" && request.method === "GET") {
    event.respondWith(page(event, url));
  } else if (request.mode === "navigate" && request.method === "POST" && CHECKIN_FORM.test(url.pathname)) {
    event.respondWith(saveCheckIn(event, url));
  } else if (request.method === "GET" && url.pathname.startsWith(STATIC_URL)) {
    event.respondWith(file(event));
  }
  // Anything else (the API, downloads, other forms) goes to the network as if no worker ran.
});

async function offlinePage() {
  return (await caches.match(OFFLINE_PAGE, { cacheName: PAGES_CACHE })) || Response.error();
}

// From the network; a kept page (check-in, call) is stored again each time it loads, and shown
// when the network fails or is too slow. Any other page offline: the offline page.
async function page(event, url) {
  const kept = PRIVATE_PAGES.includes(url.pathname) && !url.search;
  const network = fetch(event.request).then(async (response) => {
    // A redirect (to sign in) or an error is never kept: only the person's own page.
    if (kept && response.ok && response.type === "basic" && !response.redirected) {
      await (await caches.open(PRIVATE_CACHE)).put(url.pathname, response.clone());
    }
    return response;
  });
  const answered = network.catch(() => null);
  event.waitUntil(answered);
  if (!kept) {
    return (await answered) || offlinePage();
  }
  const first = await Promise.race([answered, after(WAIT_FOR_PAGE_MS)]);
  if (first) {
    return first;
  }
  const stored = await caches.match(url.pathname, { cacheName: PRIVATE_CACHE });
  return stored || (await answered) || offlinePage();
}

// The pages' files: hashed names never change, so the kept copy first; without hashes (DEBUG),
// the network first.
async function file(event) {
  const request = event.request;
  if (FILES_HAVE_HASHES) {
    const stored = await caches.match(request, { cacheName: FILES_CACHE });
    if (stored) {
      return stored;
    }
  }
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") {
      const copy = response.clone();
      caches.open(FILES_CACHE).then((cache) => cache.put(request, copy)).catch(() => {});
    }
    return response;
  } catch (error) {
    return (await caches.match(request, { cacheName: FILES_CACHE })) || Response.error();
  }
}

// --- 4. Check-ins kept on the phone ----------------------------------------------------------
// phone.js keeps a check-in when the phone knows it is offline. When it thinks it is online but
// the form cannot get through (a weak signal), the form is kept here, with the idempotency
// key it was sent with: if it did arrive after all, sending it again changes nothing.

async function saveCheckIn(event, url) {
  const copy = event.request.clone();
  const sent = fetch(event.request);
  const answered = sent.catch(() => null);
  event.waitUntil(answered);
  const first = await Promise.race([answered, after(WAIT_FOR_SAVE_MS)]);
  if (first) {
    return first;
  }
  const data = await copy.formData();
  if (data.get("action") !== "save" || self.WaymarkQueue.problem(data)) {
    return (await answered) || offlinePage(); // the server has to answer this one
  }
  const day = CHECKIN_FORM.exec(url.pathname)[1];
  const key = String(data.get("idempotency_key") || "");
  await self.WaymarkQueue.keep(self.WaymarkQueue.fromForm(data, day, key, null, null));
  // Today's check-in page (kept, if the signal is too weak for it), whose script sends the
  // check-in and says so, or says it is saved on this phone and asks for a Background Sync.
  return Response.redirect(PRIVATE_PAGES[0], 303);
}

// Background Sync: the browser wakes the worker once it is online, even with no page open.
// Each row goes with the CSRF token of the page it came from; after a new sign-in that token
// no longer works, and the row waits for a page of the person signed in (phone.js).
self.addEventListener("sync", (event) => {
  if (event.tag === "checkins") {
    event.waitUntil(sendKept());
  }
});

async function sendKept() {
  if (self.navigator.onLine === false) {
    throw new Error("Offline"); // the browser tries again later
  }
  const outcomes = await self.WaymarkQueue.sendAll(null, (row) => !!row.token);
  if (outcomes.includes("sent")) {
    for (const client of await self.clients.matchAll({ type: "window" })) {
      client.postMessage({ type: "checkins-sent" });
    }
  }
  if (outcomes.includes("waiting")) {
    throw new Error("Not sent yet"); // the browser tries again later
  }
}

// --- 5. Reminders pushed to the phone (Web Push; waymark/tracking/push.py) -----------------
// A push carries only what the notification shows, in the person's language: "Waymark" and
// "A moment for your check-in?", and the page a tap opens (our own check-in). Every push is
// shown (browsers require it); anything unexpected in one falls back to the same plain words.
const REMINDER_PAGE = "/track/";

function pushedMessage(event) {
  try {
    const message = event.data ? event.data.json() : {};
    return message && typeof message === "object" ? message : {};
  } catch (error) {
    return {};
  }
}

function ownPage(url) {
  // Only a path on this site: never another origin, whatever a push says.
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : REMINDER_PAGE;
}

self.addEventListener("push", (event) => {
  const message = pushedMessage(event);
  const text = (value) => (typeof value === "string" ? value : "");
  event.waitUntil(
    self.registration.showNotification(text(message.title) || "Waymark", {
      body: text(message.body),
      lang: text(message.lang),
      tag: text(message.tag) || "waymark-reminder",
      data: { url: ownPage(message.url) },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(ownPage(event.notification.data && event.notification.data.url), self.location.origin);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).pathname === target.pathname);
      if (open && "focus" in open) {
        return open.focus();
      }
      return self.clients.openWindow(target.href);
    })()
  );
});
