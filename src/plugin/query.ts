/**
 * Which import queries the plugin hosts. An allowlist, not a denylist: other plugins own their
 * queries (`?react`, `?component`, vite-imagetools' `?w=300&format=webp`, `?raw`, `?inline`, …), so
 * only a bare import and `?url` are hosted (plus Vite's own `?import` marker in the dev server, and
 * the marker the webpack-like bundlers get from this plugin).
 */

/** The query webpack and Rspack requests of hosted files get, so that a rule types them as JS. */
export const HOSTED_QUERY = 'wix-media-hosted'

const HOSTED_PARAMS = new Set(['url', 'import', HOSTED_QUERY])

export function splitQuery(id: string): { path: string; query: string } {
  const at = id.indexOf('?')
  return at === -1 ? { path: id, query: '' } : { path: id.slice(0, at), query: id.slice(at) }
}

/** Whether an import's query (`''`, `'?url'`, …) asks for a URL the plugin should host. */
export function hostsQuery(query: string): boolean {
  if (query === '' || query === '?') return true
  return [...new URLSearchParams(query.slice(1)).keys()].every((key) => HOSTED_PARAMS.has(key))
}

/**
 * A module id whose query makes the bundler treat the file as text, a string or a URL (`?raw`,
 * `?inline`, `?url`; `x.css?raw&lang.css` too): the module's code is not the stylesheet or script
 * itself, so nothing in it is rewritten. (For `x.css?url`, Vite builds the stylesheet on its own as
 * `x.css?transform-only`, a real stylesheet whose references are rewritten.)
 */
export const TEXT_QUERY = /[?&](?:raw|inline|url)(?:[=&]|$)/
