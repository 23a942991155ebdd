/** Finding references: every media attribute of every tag, and nothing in comments or strings. */
import { describe, expect, it } from 'vitest'
import { cssReferences, htmlReferences, importMetaUrlReferences, type Reference } from '../../src/plugin/references.ts'

/** What each reference says, checked against the text it stands on. */
function specifiers(text: string, refs: readonly Reference[]): string[] {
  return refs.map((ref) => {
    expect(text.slice(ref.start, ref.end)).toContain(ref.specifier)
    return ref.specifier
  })
}

describe('htmlReferences', () => {
  it('finds every listed attribute of a tag, not only the first', () => {
    const html = [
      '<link rel="icon" href="./src/icon.png" data-x="1">',
      '<img src="./src/h1.png" srcset="./src/h2.png 2x" alt="x">',
      '<video src="./src/v.mp4" poster="./src/h3.png"></video>',
      '<picture><source srcset="./src/h4.png 1x, ./src/h5.png 2x"><img src="./src/h6.png"></picture>',
      '<object data="./src/doc.pdf"></object>',
    ].join('\n')
    const refs = htmlReferences(html)
    expect(specifiers(html, refs)).toEqual([
      './src/icon.png', './src/h1.png', './src/h2.png', './src/v.mp4', './src/h3.png', './src/h4.png', './src/h5.png', './src/h6.png',
      './src/doc.pdf',
    ])
    for (const ref of refs) expect(html.slice(ref.start, ref.end)).toBe(ref.specifier)
  })

  it("reads the media <meta> tags (Open Graph, Twitter, Windows tiles) as Vite does, SVG's xlink:href and a preload's imagesrcset", () => {
    const html = [
      '<meta property="og:image" content="./src/og.png">',
      '<meta content=\'./src/tw.png\' name=" Twitter:Image ">',
      '<meta property="og:video:secure_url" content="./src/clip.mp4">',
      '<meta name="msapplication-TileImage" content="./src/tile.png">',
      '<meta name="description" content="./src/not-media.png">',
      '<meta property="og:title" content="./src/title.png">',
      '<meta charset="utf-8">',
      '<svg><image xlink:href="./src/x.png"/></svg>',
      '<link rel="preload" as="image" imagesrcset="./src/p1.png 1x, ./src/p2.png 2x">',
    ].join('\n')
    const refs = htmlReferences(html)
    expect(specifiers(html, refs)).toEqual([
      './src/og.png', './src/tw.png', './src/clip.mp4', './src/tile.png', './src/x.png', './src/p1.png', './src/p2.png',
    ])
    for (const ref of refs) expect(html.slice(ref.start, ref.end)).toBe(ref.specifier)
  })

  it('reads single-quoted and bare values, upper-case names, and a `>` inside another value', () => {
    const html = "<IMG alt='a > b' SRC='./a.png' srcset=./b.png><img src=./c.png />"
    expect(specifiers(html, htmlReferences(html))).toEqual(['./a.png', './b.png', './c.png'])
  })

  it('does not mistake text inside another attribute for one', () => {
    const html = '<img alt="src=./fake.png" title=\'poster="./fake2.png"\' src="./real.png">'
    expect(specifiers(html, htmlReferences(html))).toEqual(['./real.png'])
  })

  it('skips comments and the bodies of <script>, <style>, <textarea> and <title>', () => {
    const html = [
      '<!-- <img src="./src/n3.png"> commented out -->',
      '<script type="module">const tpl = \'<img src="./src/n4.png">\'</script>',
      '<style>/* <img src="./src/n5.png"> */</style>',
      '<textarea><img src="./src/n6.png"></textarea>',
      '<img src="./src/real.png">',
    ].join('\n')
    expect(specifiers(html, htmlReferences(html))).toEqual(['./src/real.png'])
  })
})

describe('importMetaUrlReferences', () => {
  it('finds real new URL(…, import.meta.url) and not those in strings or comments', () => {
    const code = [
      'const s = "new URL(\'./n9.png\', import.meta.url)"',
      "// const old = new URL('./n8.png', import.meta.url)",
      "/* new URL('./n7.png', import.meta.url) */",
      'const t = `new URL("./n6.png", import.meta.url)`',
      "const real = new URL('./real.png', import.meta.url)",
      'const also = new URL ( "./also.png" , import.meta.url , )',
    ].join('\n')
    const refs = importMetaUrlReferences(code)
    expect(refs.map((ref) => ref.specifier)).toEqual(['./real.png', './also.png'])
    expect(code.slice(refs[0]!.start, refs[0]!.end)).toBe("new URL('./real.png', import.meta.url)")
  })

  it('leaves template literals with holes alone', () => {
    expect(importMetaUrlReferences('new URL(`./img/${name}.png`, import.meta.url)')).toEqual([])
  })
})

describe('cssReferences', () => {
  it('skips /* comments */, keeps strings and url() that hold comment-like text', () => {
    const css = "/* old: url(./n5.png) */\n.a { background: url(./real.png) }\n.b { content: '/*'; background: url(//cdn.example/x.png), url(\"./b.png\") }\n"
    expect(specifiers(css, cssReferences(css))).toEqual(['./real.png', './b.png'])
  })

  it('skips // comments only where the language has them (Sass, SCSS, Less, Stylus)', () => {
    const css = '// .old { background: url(./n4.png) }\n.a { background: url(http://cdn.example/y.png) , url(./real.png) }\n'
    expect(specifiers(css, cssReferences(css, { lineComments: true }))).toEqual(['./real.png'])
    expect(specifiers(css, cssReferences(css))).toEqual(['./n4.png', './real.png'])
  })
})
