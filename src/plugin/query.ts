/**
 * Which import queries the plugin hosts. An allowlist, not a denylist: other plugins own their
 * queries (`?react`, `?component`, vite-imagetools' `?w=300&format=webp`, `?raw`, `?inline`, …), so
 * only a bare import, `?url` and queries that only bust caches (`?v=2`, `?t=1700000000`, `?123`)
 * are hosted (plus Vite's own `?import` marker in the dev server, and the marker the webpack-like
 * bundlers get from this plugin). A hosted URL is content-addressed: a new version of a file is a
 * new URL, so a cache-buster has nothing left to do there and is dropped with the rest of the query.
 */

/** The query webpack and Rspack requests of hosted files get, so that a rule types them as JS. */
export const HOSTED_QUERY = 'wix-media-hosted'

const HOSTED_PARAMS = new Set(['url', 'import', HOSTED_QUERY])

/** Parameter names that, with a version, a time or a hash as value, only bust caches (`_` is jQuery's). */
const CACHE_BUSTER_PARAMS = new Set(['v', 'ver', 'version', 't', 'ts', 'timestamp', '_', 'cb', 'cachebust', 'cachebuster', 'rev'])
const CACHE_BUSTER_VALUE = /^[\w.-]+$/
/** A bare value (`?123`, `?20240501`, `?1.2.0`): a version or a time, no plugin's name. */
const BARE_CACHE_BUSTER = /^\d[\w.-]*$/

/**
 * Queries that ask for the file's content or for a module made of it (text, a data URL, a component,
 * a worker), not for its URL: the user chose to keep the file with the bundler, and no copy of it
 * lands in the output folder on their account, so nothing is said about them.
 */
const CONTENT_PARAMS = new Set(['raw', 'inline', 'react', 'component', 'worker', 'sharedworker'])

export function splitQuery(id: string): { path: string; query: string } {
  const at = id.indexOf('?')
  return at === -1 ? { path: id, query: '' } : { path: id.slice(0, at), query: id.slice(at) }
}

/** The parameters of a query (`?a=1&b`), without its `#fragment`. */
function paramsOf(query: string): [string, string][] {
  return [...new URLSearchParams(query.split('#', 1)[0]!.slice(1))]
}

function isCacheBuster([key, value]: [string, string]): boolean {
  return CACHE_BUSTER_PARAMS.has(key) ? CACHE_BUSTER_VALUE.test(value) : value === '' && BARE_CACHE_BUSTER.test(key)
}

/**
 * Whether an import's query (`''`, `'?url'`, `'?v=2'`, …; a `#fragment` after it is ignored) asks
 * for a URL the plugin should host.
 */
export function hostsQuery(query: string): boolean {
  return paramsOf(query).every((param) => HOSTED_PARAMS.has(param[0]) || isCacheBuster(param))
}

/** Whether a webpack or Rspack module id's query carries the marker of a hosted file (webpack-like.ts). */
export function isMarkedHosted(query: string): boolean {
  return paramsOf(query).some(([key]) => key === HOSTED_QUERY)
}

/** Whether a query the plugin does not host asks for the file's content rather than a URL of it (`?raw`, `?inline`, `?react`, …). */
export function asksForContent(query: string): boolean {
  return paramsOf(query).some(([key]) => CONTENT_PARAMS.has(key))
}

/** The `#fragment` of a module id or specifier (`''` when none): it names a part of the file, and stays on its hosted URL. */
export function fragmentOf(id: string): string {
  const at = id.indexOf('#')
  return at === -1 ? '' : id.slice(at)
}

/**
 * A module id whose query makes the bundler treat the file as text, a string or a URL (`?raw`,
 * `?inline`, `?url`; `x.css?raw&lang.css` too): the module's code is not the stylesheet or script
 * itself, so nothing in it is rewritten. (For `x.css?url`, Vite builds the stylesheet on its own as
 * `x.css?transform-only`, a real stylesheet whose references are rewritten.)
 */
export const TEXT_QUERY = /[?&](?:raw|inline|url)(?:[=&]|$)/
