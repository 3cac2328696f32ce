// An example host: a member portal that embeds idcheck twice, once with mount() and a token
// provider, once as <idcheck-onboarding>, logs the events both dispatch, and themes them.
//
// For the end-to-end tests it also keeps count of camera tracks, window/document listeners and
// intervals, and of token-provider calls (window.portal). A real portal needs none of that.

const params = new URLSearchParams(location.search);

// --- instrumentation (tests and curious developers) -------------------------------------------
const streams = [];
const devices = navigator.mediaDevices;
if (devices && devices.getUserMedia) {
  const getUserMedia = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    streams.push(stream);
    return stream;
  };
}
const listeners = new Set();
const add = EventTarget.prototype.addEventListener;
const remove = EventTarget.prototype.removeEventListener;
const keyOf = (target, type, listener, options) => {
  if (target !== window && target !== document) return null;
  const capture = typeof options === "boolean" ? options : Boolean(options && options.capture);
  return { target, type, listener, capture };
};
const same = (a, b) =>
  a.target === b.target && a.type === b.type && a.listener === b.listener && a.capture === b.capture;
EventTarget.prototype.addEventListener = function (type, listener, options) {
  const key = keyOf(this, type, listener, options);
  if (key && ![...listeners].some((k) => same(k, key))) listeners.add(key);
  return add.call(this, type, listener, options);
};
EventTarget.prototype.removeEventListener = function (type, listener, options) {
  const key = keyOf(this, type, listener, options);
  if (key) for (const k of listeners) if (same(k, key)) listeners.delete(k);
  return remove.call(this, type, listener, options);
};
const intervals = new Set();
const setIntervalOriginal = window.setInterval.bind(window);
const clearIntervalOriginal = window.clearInterval.bind(window);
window.setInterval = (handler, timeout, ...rest) => {
  const id = setIntervalOriginal(handler, timeout, ...rest);
  intervals.add(id);
  return id;
};
window.clearInterval = (id) => {
  intervals.delete(id);
  return clearIntervalOriginal(id);
};

const events = { a: [], b: [] };
const violations = [];
document.addEventListener("securitypolicyviolation", (event) => violations.push(event.violatedDirective));
window.portal = {
  events,
  violations,
  tokenCalls: 0,
  liveTracks: () => streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === "live").length,
  listeners: () => listeners.size,
  intervals: () => intervals.size,
};

// --- the token provider ------------------------------------------------------------------------
// The component asks this function for a bearer token before its first call and again after a
// 401. A portal never logs the member in from the page, nor keeps a long-lived token in it: it asks
// its own back end, which knows who is signed in to the portal and asks the idcheck gateway for a
// short-lived member token (POST /api/member-tokens with the operator key, kept on the server).
// Here `POST /portal/member-token` (same origin, no body) stands in for that back end: the gateway
// answers it for its demo member when started with --demo-portal. With ?expire-first the first
// token is one the API refuses, to show that the component asks again after a 401.
async function tokenProvider() {
  window.portal.tokenCalls += 1;
  if (params.has("expire-first") && window.portal.tokenCalls === 1) return "an-expired-token";
  const answer = await fetch("/portal/member-token", { method: "POST", credentials: "same-origin" });
  if (!answer.ok) throw new Error(`the portal's back end gave no member token (HTTP ${answer.status})`);
  return (await answer.json()).access_token;
}

// --- events ------------------------------------------------------------------------------------
const EVENTS = [
  "idcheck:step",
  "idcheck:check-created",
  "idcheck:document-created",
  "idcheck:completed",
  "idcheck:cancelled",
  "idcheck:error",
];
function logEvents(element, list, log) {
  for (const name of EVENTS) {
    element.addEventListener(name, (event) => {
      log.push({ name, detail: event.detail });
      const item = document.createElement("li");
      item.textContent = `${name} ${JSON.stringify(event.detail)}`;
      list.append(item);
    });
  }
}

// --- theme -------------------------------------------------------------------------------------
const theme = document.getElementById("theme");
const applyTheme = () => (document.documentElement.dataset.theme = theme.value);
theme.value = params.get("theme") === "dark" ? "dark" : "light";
theme.addEventListener("change", applyTheme);
applyTheme();

// --- the widgets -------------------------------------------------------------------------------
const widgetB = document.getElementById("widget-b");
widgetB.tokenProvider = tokenProvider; // read when the element connects
logEvents(document.getElementById("widget-a"), document.getElementById("events-a"), events.a);
logEvents(widgetB, document.getElementById("events-b"), events.b);

const idcheck = await import("/idcheck.js");
await idcheck.default();

// Settings for widget A: these defaults, overridden by the page's query string (?mode=kiosk&…).
const config = { business: 1, coworker: 1, uploads: "server", tokenProvider };
for (const [name, value] of params) if (name !== "expire-first" && name !== "theme") config[name] = value;

const host = document.getElementById("widget-a");
let handle = idcheck.mount(host, config);
document.getElementById("reset-a").addEventListener("click", () => handle && handle.reset());
document.getElementById("unmount-a").addEventListener("click", () => {
  if (handle) handle.unmount();
  handle = null;
});
document.getElementById("mount-a").addEventListener("click", () => {
  if (!handle) handle = idcheck.mount(host, config);
});
document.body.dataset.ready = "true";
