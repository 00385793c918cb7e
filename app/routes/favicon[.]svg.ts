const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0f766e"/><rect x="7" y="8" width="18" height="4" rx="1" fill="#ccfbf1"/><rect x="7" y="14" width="8" height="4" rx="1" fill="#fff"/><rect x="17" y="14" width="8" height="4" rx="1" fill="#fff"/><rect x="7" y="20" width="8" height="4" rx="1" fill="#fff"/><rect x="17" y="20" width="8" height="4" rx="1" fill="#5eead4"/></svg>`;

/** /favicon.svg (and /favicon.ico redirects here) for browsers that ask at the root. */
export async function loader() {
  return new Response(svg, { headers: { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400" } });
}
