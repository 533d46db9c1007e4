// Service worker: after the first visit, the personal page, its scripts and
// styles open with no network at all. Assets are served cache-first (they
// are revalidated in the background); pages under /key/ network-first with
// the kept copy as fallback. Submissions are never cached.
const ASSETS = "suivi-assets-v3";
const DATA = "suivi-data";
const PRECACHE = [
  "/assets/suivi.css", "/assets/collect/page.js", "/assets/collect/form.js", "/assets/collect/xpath.js",
  "/assets/collect/instance.js", "/assets/collect/outbox.js", "/assets/collect/checks.js", "/assets/i18n/fr.js", "/assets/i18n/en.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(ASSETS).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

// A new set of assets replaces the old one whole, so a page never mixes
// scripts of two versions.
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith("suivi-assets-") && name !== ASSETS)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(caches.open(ASSETS).then(async (cache) => {
      const kept = await cache.match(request);
      const fresh = fetch(request).then((response) => {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
      if (kept) { fresh.catch(() => {}); return kept; }
      return fresh;
    }));
    return;
  }
  // A form's images: the copy kept when the link was opened, when offline.
  if (/^\/(key|test)\/[^/]+\/forms\/[^/]+\/media\//.test(url.pathname)) {
    event.respondWith(fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(DATA).then((cache) => cache.put(url.pathname, copy));
      }
      return response;
    }).catch(async () => (await (await caches.open(DATA)).match(url.pathname)) || Response.error()));
    return;
  }
  if (url.pathname.startsWith("/key/") && request.mode === "navigate") {
    event.respondWith(fetch(request).catch(async () => {
      const kept = await (await caches.open(DATA)).match(url.pathname);
      return kept || Response.error();
    }));
  }
});
