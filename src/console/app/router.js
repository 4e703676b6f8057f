// Hash routes: #/view/arg?key=value. Every view and its filters live in the URL, so each is linkable.

export function parseHash(hash) {
  const raw = hash.startsWith("#") ? hash.slice(1) : hash;
  const [path, query = ""] = raw.split("?", 2);
  const parts = path
    .split("/")
    .filter((p) => p !== "")
    .map(decodeURIComponent);
  const params = Object.fromEntries(new URLSearchParams(query));
  return { view: parts[0] ?? "actions", arg: parts[1], params };
}

export function hrefOf(view, arg, params = {}) {
  const query = new URLSearchParams(
    Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ""),
  ).toString();
  return `#/${view}${arg === undefined ? "" : `/${encodeURIComponent(arg)}`}${query ? `?${query}` : ""}`;
}

/** Replaces the current entry (filters typed letter by letter should not fill the history). */
export function replaceRoute(view, arg, params) {
  const href = hrefOf(view, arg, params);
  if (location.hash !== href) {
    history.replaceState(null, "", href);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  }
}
