/**
 * Source text with the parts where no reference can stand blanked out with spaces: comments, the
 * contents of JS strings, the bodies of HTML `<script>` and `<style>` elements. Every offset and
 * line break is kept, so the reference finders match on the blanked text and read what they found
 * from the original at the same offsets.
 */
import { stripLiteral } from 'strip-literal'

/** `text` as spaces, its line breaks kept. */
function blank(text: string): string {
  return text.replace(/[^\n\r]/g, ' ')
}

/**
 * JS and TS: comments, and the contents of strings, template literals and regular expressions
 * (what Vite blanks before it looks for `new URL(…, import.meta.url)`).
 */
export function blankedScript(code: string): string {
  return stripLiteral(code)
}

/** Strings and `url(…)` (whose unquoted URL may hold `//` or `/*`) are kept; the second part is a comment. */
const CSS_COMMENTS = /("(?:[^"\\\n]|\\[\s\S])*"|'(?:[^'\\\n]|\\[\s\S])*'|\burl\(\s*[^)'"\s]*)|\/\*[\s\S]*?(?:\*\/|$)/g
/** The same, with `// …` line comments too (Sass, SCSS, Less, Stylus; in CSS, `//` is no comment). */
const CSS_AND_LINE_COMMENTS = /("(?:[^"\\\n]|\\[\s\S])*"|'(?:[^'\\\n]|\\[\s\S])*'|\burl\(\s*[^)'"\s]*)|\/\*[\s\S]*?(?:\*\/|$)|\/\/[^\n\r]*/g

/** CSS: block comments; with `lineComments`, `// …` line comments too. */
export function blankedCss(code: string, { lineComments = false }: { lineComments?: boolean } = {}): string {
  return code.replace(lineComments ? CSS_AND_LINE_COMMENTS : CSS_COMMENTS, (match, kept: string | undefined) => kept ?? blank(match))
}

/**
 * Comments, and the bodies of elements whose content is text, never tags: `<script>`, `<style>`,
 * `<textarea>`, `<title>` (their opening tags are kept).
 */
const HTML_HIDDEN = /<!--[\s\S]*?(?:-->|$)|(<(script|style|textarea|title)\b(?:"[^"]*"|'[^']*'|[^'">])*>)([\s\S]*?)(?=<\/\2\s*>|$)/gi

/** HTML: `<!-- … -->` comments and the bodies of `<script>`, `<style>`, `<textarea>` and `<title>`. */
export function blankedHtml(html: string): string {
  return html.replace(HTML_HIDDEN, (match, open: string | undefined, _name: string | undefined, body: string | undefined) =>
    open === undefined ? blank(match) : `${open}${blank(body ?? '')}`)
}
