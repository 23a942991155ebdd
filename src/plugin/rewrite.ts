/**
 * The rewrite step: references in CSS, HTML and `new URL(…, import.meta.url)` that point at hosted
 * media become their hosted URLs. References the plugin does not host are left untouched.
 */
import { access } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import MagicString, { type SourceMap } from 'magic-string'
import type { Host } from './host.ts'
import { hostsQuery, splitQuery } from './query.ts'
import { cssReferences, htmlReferences, importMetaUrlReferences, type Reference } from './references.ts'

/** Which files are hosted, and their URL (`undefined`: leave the reference as it is). */
export type UrlResolver = Pick<Host, 'wants' | 'urlFor'>

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false)
}

/**
 * The path a specifier in `importer` points at: relative to the importer, or to `serverRoot` (the
 * bundler's root: Vite's `root`, webpack's `context`) when it starts with `/`. No disk access: the
 * file may not exist.
 */
function pathOf(specifier: string, importer: string, serverRoot: string): string | undefined {
  const { path, query } = splitQuery(specifier.split('#', 1)[0]!)
  if (!hostsQuery(query)) return undefined
  let decoded: string
  try {
    decoded = decodeURI(path)
  } catch {
    return undefined
  }
  return decoded.startsWith('/') ? join(serverRoot, decoded) : isAbsolute(decoded) ? decoded : resolve(dirname(importer), decoded)
}

async function hostedReplacements(refs: readonly Reference[], importer: string, serverRoot: string, host: UrlResolver): Promise<(string | undefined)[]> {
  return Promise.all(refs.map(async (ref) => {
    const file = pathOf(ref.specifier, importer, serverRoot)
    // The include/exclude filter first: a reference that can never be hosted costs no disk access.
    if (!file || !host.wants(file) || !(await exists(file))) return undefined
    const url = await host.urlFor(file)
    if (!url) return undefined
    // `sprite.svg#icon`: the fragment names a part of the file, and stays on the hosted URL.
    const fragment = ref.specifier.indexOf('#')
    return fragment === -1 ? url : `${url}${ref.specifier.slice(fragment)}`
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
 * be the plugin's `root`.
 */
export async function rewriteCss(code: string, id: string, serverRoot: string, host: UrlResolver): Promise<Rewritten | undefined> {
  const refs = cssReferences(code, { lineComments: LINE_COMMENT_CSS.test(id) })
  if (refs.length === 0) return undefined
  return rewritten(code, id, refs, await hostedReplacements(refs, id, serverRoot, host))
}

/** An HTML entry's media attributes (`serverRoot`: as for `rewriteCss`). */
export async function rewriteHtml(html: string, file: string, serverRoot: string, host: UrlResolver): Promise<string> {
  const refs = htmlReferences(html)
  if (refs.length === 0) return html
  // HTML entries get no source map: only the text.
  return spliced(html, refs, await hostedReplacements(refs, file, serverRoot, host))?.toString() ?? html
}

/** A script's `new URL('…', import.meta.url)` (`serverRoot`: as for `rewriteCss`). */
export async function rewriteImportMetaUrls(code: string, id: string, serverRoot: string, host: UrlResolver): Promise<Rewritten | undefined> {
  const refs = importMetaUrlReferences(code)
  if (refs.length === 0) return undefined
  const urls = await hostedReplacements(refs, id, serverRoot, host)
  return rewritten(code, id, refs, urls.map((url) => (url === undefined ? undefined : `new URL(${JSON.stringify(url)})`)))
}
