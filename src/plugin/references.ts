/**
 * Finding media references in source text, for the rewrite step: CSS `url()` and `image-set()`,
 * HTML `src` / `srcset` / `poster` / `href`, and `new URL('…', import.meta.url)` in JS.
 */

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

export function cssReferences(code: string): Reference[] {
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

export function importMetaUrlReferences(code: string): Reference[] {
  const out: Reference[] = []
  for (const match of code.matchAll(/\bnew\s+URL\(\s*(["'`])([^"'`]+)\1\s*,\s*import\.meta\.url\s*\)/g)) {
    out.push({ start: match.index, end: match.index + match[0].length, specifier: match[2]! })
  }
  return out.filter((ref) => isLocalSpecifier(ref.specifier))
}

const HTML_ATTRIBUTES = /(<(?:img|source|video|audio|track|link|input|embed|object|a|image|use)\b[^>]*?\s)(src|srcset|poster|href|data)(\s*=\s*)(["'])([^"']*)\4/gi

/** `src`, `poster`, `href`, `data` values, and each URL of a `srcset`. */
export function htmlReferences(html: string): Reference[] {
  const out: Reference[] = []
  for (const match of html.matchAll(HTML_ATTRIBUTES)) {
    const [, before = '', attribute = '', equals = '', , value = ''] = match
    const valueStart = match.index + before.length + attribute.length + equals.length + 1
    if (attribute.toLowerCase() === 'srcset') {
      let cursor = 0
      for (const candidate of value.split(',')) {
        const url = candidate.trim().split(/\s+/)[0] ?? ''
        const at = value.indexOf(url, cursor)
        cursor = at + url.length
        if (url) out.push({ start: valueStart + at, end: valueStart + at + url.length, specifier: url })
      }
    } else {
      out.push({ start: valueStart, end: valueStart + value.length, specifier: value })
    }
  }
  return out.filter((ref) => isLocalSpecifier(ref.specifier))
}

