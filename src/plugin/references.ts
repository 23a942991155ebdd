/**
 * Finding media references in source text, for the rewrite step: CSS `url()` and `image-set()`,
 * HTML `src` / `srcset` / `poster` / `href` / `data` (and media `<meta>`), and `new URL('…', import.meta.url)` in JS.
 * Only real references: nothing in comments, JS strings or HTML `<script>` bodies (see blanked.ts).
 */
import { blankedCss, blankedHtml, blankedScript } from './blanked.ts'

/** A reference to rewrite: where it stands in the text and what it says. */
export interface Reference {
  start: number
  end: number
  specifier: string
}

/** Specifiers that are not local files: URLs, data:, fragments, template holes. */
export function isLocalSpecifier(specifier: string): boolean {
  return specifier !== '' && !/^(?:[a-z][a-z\d+.-]*:|\/\/|#|data:)/i.test(specifier) && !specifier.includes('${')
}

/** `url()` and `image-set()` outside comments; with `lineComments`, `// …` is one too (Sass, SCSS, Less, Stylus). */
export function cssReferences(source: string, { lineComments = false }: { lineComments?: boolean } = {}): Reference[] {
  // Strings and url() are kept as they are: what the matches say is what the source says.
  const code = blankedCss(source, { lineComments })
  const out: Reference[] = []
  // url(x), url('x'), url("x")
  for (const match of code.matchAll(/\burl\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]+))\s*\)/g)) {
    const specifier = match[1] ?? match[2] ?? match[3] ?? ''
    const offset = match[0].indexOf(specifier, 4)
    out.push({ start: match.index + offset, end: match.index + offset + specifier.length, specifier })
  }
  // image-set("a.png" 1x, "b.png" 2x): bare strings (url() ones are found above)
  for (const set of code.matchAll(/\b(?:-webkit-)?image-set\(([^;{}]*)\)/g)) {
    const inner = set[1]!
    const base = set.index + set[0].indexOf(inner)
    for (const string of inner.matchAll(/(?<!url\(\s*)(["'])([^"']+)\1/g)) {
      out.push({ start: base + string.index + 1, end: base + string.index + 1 + string[2]!.length, specifier: string[2]! })
    }
  }
  return out.filter((ref) => isLocalSpecifier(ref.specifier)).sort((a, b) => a.start - b.start)
}

const IMPORT_META_URL = /\bnew\s+URL\s*\(\s*(["'`])([^"'`]+)\1\s*,\s*import\.meta\.url\s*(?:,\s*)?\)/g

/** `new URL('…', import.meta.url)`: found in code without comments and string contents, read from the source. */
export function importMetaUrlReferences(source: string): Reference[] {
  if (!/\bnew\s+URL\s*\(/.test(source)) return []
  const out: Reference[] = []
  for (const match of blankedScript(source).matchAll(IMPORT_META_URL)) {
    const quote = match.index + match[0].indexOf(match[1]!)
    const specifier = source.slice(quote + 1, quote + 1 + match[2]!.length)
    out.push({ start: match.index, end: match.index + match[0].length, specifier })
  }
  return out.filter((ref) => isLocalSpecifier(ref.specifier))
}

/** An element that may name media, with its attributes (quoted values may hold `>`). */
const MEDIA_ELEMENT = /<(img|source|video|audio|track|link|input|embed|object|a|image|use|meta)\b((?:"[^"]*"|'[^']*'|[^'">])*)>/gi
/** One attribute: its name, and its value double-quoted, single-quoted or bare. */
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g
const MEDIA_ATTRIBUTES = new Set(['src', 'srcset', 'imagesrcset', 'poster', 'href', 'xlink:href', 'data'])
const SRCSET_ATTRIBUTES = new Set(['srcset', 'imagesrcset'])
/** `<meta>` whose `content` is a media URL, by `name` or by `property` (Open Graph): the ones Vite reads too. */
const MEDIA_META_NAMES = new Set(['twitter:image', 'msapplication-tileimage', 'msapplication-square70x70logo',
  'msapplication-square150x150logo', 'msapplication-wide310x150logo', 'msapplication-square310x310logo'])
const MEDIA_META_PROPERTIES = new Set(['og:image', 'og:image:url', 'og:image:secure_url', 'og:audio', 'og:audio:secure_url',
  'og:video', 'og:video:secure_url'])

/** Each URL of a `srcset` value that starts at `valueStart`. */
function srcsetReferences(value: string, valueStart: number): Reference[] {
  const out: Reference[] = []
  let cursor = 0
  for (const candidate of value.split(',')) {
    const url = candidate.trim().split(/\s+/)[0] ?? ''
    const at = value.indexOf(url, cursor)
    cursor = at + url.length
    if (url) out.push({ start: valueStart + at, end: valueStart + at + url.length, specifier: url })
  }
  return out
}

/**
 * `src`, `poster`, `href`, `xlink:href`, `data` values, each URL of a `srcset` or `imagesrcset`,
 * and the `content` of a media `<meta>` (`og:image`, `twitter:image`, …): every one of every element.
 */
export function htmlReferences(source: string): Reference[] {
  // Comments and <script>/<style> bodies are blanked; tags outside them read the same as in the source.
  const html = blankedHtml(source)
  const out: Reference[] = []
  for (const element of html.matchAll(MEDIA_ELEMENT)) {
    const isMeta = element[1]!.toLowerCase() === 'meta'
    const attributes = element[2]!
    const attributesStart = element.index + 1 + element[1]!.length
    const found = [...attributes.matchAll(ATTRIBUTE)].map((attribute) => {
      const value = attribute[2] ?? attribute[3] ?? attribute[4]
      const quoted = attribute[4] === undefined ? 1 : 0
      return { name: attribute[1]!.toLowerCase(), value, start: attributesStart + attribute.index + attribute[0].length - (value?.length ?? 0) - quoted }
    })
    const valueOf = (name: string) => found.find((attribute) => attribute.name === name)?.value?.trim().toLowerCase()
    const mediaMeta = isMeta && (MEDIA_META_NAMES.has(valueOf('name') ?? '') || MEDIA_META_PROPERTIES.has(valueOf('property') ?? ''))
    for (const { name, value, start } of found) {
      if (value === undefined || !(isMeta ? mediaMeta && name === 'content' : MEDIA_ATTRIBUTES.has(name))) continue
      if (SRCSET_ATTRIBUTES.has(name)) out.push(...srcsetReferences(value, start))
      else out.push({ start, end: start + value.length, specifier: value })
    }
  }
  return out.filter((ref) => isLocalSpecifier(ref.specifier))
}
