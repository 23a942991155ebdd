/**
 * The rewrite step: references in CSS, HTML and `new URL(…, import.meta.url)` that point at hosted
 * media become their hosted URLs. References the plugin does not host are left untouched.
 */
import { access } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import MagicString, { type SourceMap } from 'magic-string'
import type { Host } from './host.ts'
import { asksForContent, fragmentOf, hostsQuery, splitQuery } from './query.ts'
import { cssReferences, htmlReferences, importMetaUrlReferences, type Reference } from './references.ts'

/** Which files are hosted, their URL (`undefined`: leave the reference as it is), and a word for what stays local. */
export type UrlResolver = Pick<Host, 'wants' | 'urlFor' | 'keptLocal' | 'keptByBundler'>

/**
 * An entry of Vite's resolved `resolve.alias` (`configResolved` gives them as an array). An entry
 * with a `customResolver` is not followed: the plugin cannot run it, so Vite keeps that file.
 */
export interface Alias {
  find: string | RegExp
  replacement: string
  customResolver?: unknown
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false)
}

/** `id` after the first alias that matches it, as Vite applies them (@rollup/plugin-alias); `undefined` when that alias cannot be followed. */
export function aliased(id: string, aliases: readonly Alias[]): string | undefined {
  const entry = aliases.find(({ find }) => (typeof find === 'string' ? id === find || id.startsWith(`${find}/`) : find.test(id)))
  if (!entry) return id
  if (entry.customResolver) return undefined
  return typeof entry.find === 'string' ? id.replace(entry.find, () => entry.replacement) : id.replace(entry.find, entry.replacement)
}

/**
 * How the bundler reads a specifier the plugin cannot place by itself (`@/x.png`): Vite's aliases
 * (which Vite applies to CSS `url()` and `new URL()` with its own resolver, out of the plugin's
 * sight), or the bundler's resolver (webpack's and Rspack's, with their `resolve.alias`).
 */
export interface Resolution {
  aliases?: readonly Alias[]
  /** The file a bare specifier (no `./`, `../` or `/`; no query) in `importer` names, or `undefined`. */
  resolve?: (specifier: string, importer: string) => Promise<string | undefined>
  /** Why the bundler's own rules keep a file with it (webpack-rules.ts), or `undefined`. */
  bundlerKeeps?: (file: string, query: string, importer: string) => string | undefined
}

/** A specifier a bundler may resolve through an alias or a package: neither relative nor absolute. */
const BARE = /^(?![./\\]|[a-z]:)/i

/** Where a reference leads: the files it may name, in the order the bundler tries them, and its query (no fragment). */
interface Target {
  files: [string] | [string, string]
  query: string
  /** The path as written (after Vite's aliases), for the bundler's resolver. */
  written: string
}

/**
 * Where a specifier in `importer` leads: through `aliases` first (Vite's, for CSS and `new URL()`),
 * then relative to the importer, or to `serverRoot` (the bundler's root: Vite's `root`, webpack's
 * `context`) when it starts with `/`. No disk access: the file may not exist.
 */
function targetOf(specifier: string, importer: string, serverRoot: string, aliases: readonly Alias[]): Target | undefined {
  let id: string
  try {
    id = decodeURI(specifier.split('#', 1)[0]!)
  } catch {
    return undefined
  }
  const mapped = aliased(id, aliases)
  if (mapped === undefined) return undefined
  const { path, query } = splitQuery(mapped)
  if (!path.startsWith('/')) return { files: [isAbsolute(path) ? path : resolve(dirname(importer), path)], query, written: path }
  if (mapped === id) return { files: [join(serverRoot, path)], query, written: path }
  // An alias to `/src` or to an absolute folder: like Vite, a path under the root is taken as it is,
  // another is tried in the root first, then as an absolute path.
  return { files: path.startsWith(join(serverRoot, '/')) ? [path] : [join(serverRoot, path), path], query, written: path }
}

/**
 * The file a target names: the first that `wants` accepts and exists, the filter before the disk;
 * a bare specifier that names no file beside the importer goes to the bundler's resolver, if any.
 */
async function fileOf({ files: [first, absolute], written }: Target, importer: string, host: UrlResolver, bundler: Resolution['resolve']): Promise<string | undefined> {
  if (!host.wants(first)) return undefined
  if (await exists(first)) return first
  if (bundler && BARE.test(written)) {
    // `~@/x.png`, `~pkg/x.png`: css-loader's and sass-loader's old mark of a module request.
    const file = await bundler(written.replace(/^~/, ''), importer)
    return file !== undefined && host.wants(file) ? file : undefined
  }
  // An aliased `/…` path missing from the bundler's root, as an absolute one: the disk first, so that
  // `wants` warns about a file outside root only when there is one.
  return absolute !== undefined && (await exists(absolute)) && host.wants(absolute) ? absolute : undefined
}

async function hostedReplacements(
  refs: readonly Reference[], importer: string, serverRoot: string, host: UrlResolver, { aliases = [], resolve: bundler, bundlerKeeps }: Resolution = {},
): Promise<(string | undefined)[]> {
  return Promise.all(refs.map(async (ref) => {
    const target = targetOf(ref.specifier, importer, serverRoot, aliases)
    // The include/exclude filter first: a reference that can never be hosted costs no disk access.
    const file = target && (await fileOf(target, importer, host, bundler))
    if (!target || !file) return undefined
    if (!hostsQuery(target.query)) {
      if (!asksForContent(target.query)) host.keptLocal(file, target.query)
      return undefined
    }
    const why = bundlerKeeps?.(file, target.query, importer)
    if (why) {
      host.keptByBundler(file, why)
      return undefined
    }
    const url = await host.urlFor(file)
    // `sprite.svg#icon`: the fragment names a part of the file, and stays on the hosted URL.
    return url ? `${url}${fragmentOf(ref.specifier)}` : undefined
  }))
}

/** Rewritten code with a source map of the change (bundlers chain it with the maps before it). */
export interface Rewritten {
  code: string
  map: SourceMap
}

/** Replaces each reference whose replacement is defined; `undefined` when none is (nothing changes). */
function spliced(code: string, refs: readonly Reference[], replacements: readonly (string | undefined)[]): MagicString | undefined {
  if (replacements.every((value) => value === undefined)) return undefined
  const edited = new MagicString(code)
  refs.forEach((ref, i) => {
    const replacement = replacements[i]
    if (replacement !== undefined) edited.overwrite(ref.start, ref.end, replacement)
  })
  return edited
}

function rewritten(code: string, id: string, refs: readonly Reference[], replacements: readonly (string | undefined)[]): Rewritten | undefined {
  const edited = spliced(code, refs, replacements)
  return edited && { code: edited.toString(), map: edited.generateMap({ source: id, includeContent: true, hires: 'boundary' }) }
}

/** Stylesheet languages where `// …` is a comment. */
const LINE_COMMENT_CSS = /\.(?:s[ac]ss|less|styl(?:us)?)$/

/**
 * A stylesheet's `url()` and `image-set()`. `serverRoot` is the folder that a reference starting
 * with `/` is relative to: the bundler's root (Vite's `root`, webpack's `context`), which need not
 * be the plugin's `root`. `resolution`: how the bundler reads `url(@/x.png)`.
 */
export async function rewriteCss(
  code: string, id: string, serverRoot: string, host: UrlResolver, resolution: Resolution = {},
): Promise<Rewritten | undefined> {
  const refs = cssReferences(code, { lineComments: LINE_COMMENT_CSS.test(id) })
  if (refs.length === 0) return undefined
  return rewritten(code, id, refs, await hostedReplacements(refs, id, serverRoot, host, resolution))
}

/** An HTML entry's media attributes (`serverRoot`: as for `rewriteCss`). */
export async function rewriteHtml(html: string, file: string, serverRoot: string, host: UrlResolver): Promise<string> {
  const refs = htmlReferences(html)
  if (refs.length === 0) return html
  // HTML entries get no source map: only the text.
  return spliced(html, refs, await hostedReplacements(refs, file, serverRoot, host))?.toString() ?? html
}

/**
 * A script's `new URL('…', import.meta.url)` (`serverRoot`, `resolution`: as for `rewriteCss`; Vite
 * applies its aliases to a `new URL()` that does not start with `.`).
 */
export async function rewriteImportMetaUrls(
  code: string, id: string, serverRoot: string, host: UrlResolver, resolution: Resolution = {},
): Promise<Rewritten | undefined> {
  const refs = importMetaUrlReferences(code)
  if (refs.length === 0) return undefined
  const urls = await hostedReplacements(refs, id, serverRoot, host, resolution)
  return rewritten(code, id, refs, urls.map((url) => (url === undefined ? undefined : `new URL(${JSON.stringify(url)})`)))
}
