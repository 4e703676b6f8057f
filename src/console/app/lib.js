// Preact with htm (tagged templates instead of JSX, so no build step), both vendored by the server.
import htm from "/vendor/htm.js";
import { h, render } from "/vendor/preact.js";

export { useEffect, useMemo, useRef, useState } from "/vendor/hooks.js";
export const html = htm.bind(h);
export { render };
