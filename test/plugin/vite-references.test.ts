/**
 * Vite builds of small projects against the emulator: which references the rewrite step finds.
 * Every media attribute of every HTML tag; nothing in comments or JS strings; nothing in a CSS file
 * imported as text (`?raw`, `?inline`); and `/…` starting from Vite's root, not the plugin's.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AliasOptions } from 'vite'
import { describe, expect, test } from 'vitest'
import type { WixMediaPluginOptions } from '../../src/plugin/options.ts'
import {
  emulatorOptions, expectLockfileFor, hostedUrlsIn, localMediaMentions, mediaInOutput, outputText, useBuildEmulator, withoutComments,
} from '../support/build.ts'
import { mp4, png } from '../support/media.ts'
import { useFixtures } from '../support/project.ts'
import { pluginLines, viteBuild } from '../support/vite-build.ts'

const fixtures = useFixtures()
const emulator = useBuildEmulator(31)

/** One `vite build` of `root` into `<root>/dist`, media never inlined by Vite. */
async function build(root: string, options: WixMediaPluginOptions): Promise<string> {
  return (await viteBuild(root, options, { build: { assetsInlineLimit: 0 } })).dist
}

describe('Vite: the references the rewrite step finds', () => {
  test('HTML: every media attribute of a tag is rewritten (src and srcset, src and poster, each srcset URL, og:image)', async () => {
    const root = await fixtures.project({
      'index.html': [
        '<!doctype html><html><head><link rel="icon" type="image/png" href="./src/icon.png">',
        '<meta property="og:image" content="./src/og.png"><meta name="twitter:image" content="./src/og.png"></head><body>',
        '<img src="./src/h1.png" srcset="./src/h2.png 2x" alt="x">',
        '<video src="./src/v.mp4" poster="./src/h3.png"></video>',
        '<picture><source srcset="./src/h4.png 1x, ./src/h5.png 2x"><img src=\'./src/h6.png\'></picture>',
        '<script type="module" src="./src/main.js"></script>',
        '</body></html>',
      ].join('\n'),
      'src/main.js': 'document.body.dataset.ready = "1"\n',
      'src/icon.png': png(4, 4, 310),
      'src/h1.png': png(4, 4, 311),
      'src/h2.png': png(8, 8, 312),
      'src/h3.png': png(4, 4, 313),
      'src/h4.png': png(4, 4, 314),
      'src/h5.png': png(8, 8, 315),
      'src/h6.png': png(4, 4, 316),
      'src/v.mp4': mp4(300),
      'src/og.png': png(12, 6, 317),
    })
    const dist = await build(root, emulatorOptions(emulator))
    const urls = await expectLockfileFor(root, emulator.url, [
      'src/h1.png', 'src/h2.png', 'src/h3.png', 'src/h4.png', 'src/h5.png', 'src/h6.png', 'src/icon.png', 'src/og.png', 'src/v.mp4',
    ])
    const html = await readFile(join(dist, 'index.html'), 'utf8')
    // A link preview needs an absolute URL, which the hosted one is.
    expect(html).toContain(`<meta property="og:image" content="${urls['src/og.png']}"><meta name="twitter:image" content="${urls['src/og.png']}">`)
    expect(html).toContain(`<link rel="icon" type="image/png" href="${urls['src/icon.png']}">`)
    expect(html).toContain(`<img src="${urls['src/h1.png']}" srcset="${urls['src/h2.png']} 2x" alt="x">`)
    expect(html).toContain(`<video src="${urls['src/v.mp4']}" poster="${urls['src/h3.png']}"></video>`)
    expect(html).toContain(`<source srcset="${urls['src/h4.png']} 1x, ${urls['src/h5.png']} 2x"><img src='${urls['src/h6.png']}'>`)
    expect(localMediaMentions(html, emulator.url)).toEqual([])
  })

  test('references in comments and JS strings are neither uploaded nor rewritten; the real ones are', async () => {
    const root = await fixtures.project({
      'index.html': [
        '<!doctype html><html><body>',
        '<!-- <img src="./src/n3.png"> commented out -->',
        '<img src="./src/real-html.png">',
        '<script type="module" src="./src/main.js"></script>',
        '</body></html>',
      ].join('\n'),
      'src/main.js': [
        "import './s.css'",
        'const s = "new URL(\'./n9.png\', import.meta.url)"',
        "// const old = new URL('./n8.png', import.meta.url)",
        "const real = new URL('./real-js.png', import.meta.url).href",
        'document.body.dataset.s = s + real',
        '',
      ].join('\n'),
      'src/s.css': '/* old: url(./n5.png) */\n.a { background: url(./real-css.png) }\n',
      ...Object.fromEntries(['n3', 'n5', 'n8', 'n9'].map((name, i) => [`src/${name}.png`, png(3, 3, 320 + i)])),
      'src/real-html.png': png(5, 5, 330),
      'src/real-js.png': png(5, 5, 331),
      'src/real-css.png': png(5, 5, 332),
    })
    const dist = await build(root, emulatorOptions(emulator))
    const urls = await expectLockfileFor(root, emulator.url, ['src/real-css.png', 'src/real-html.png', 'src/real-js.png'])
    const html = await readFile(join(dist, 'index.html'), 'utf8')
    expect(html).toContain(`<img src="${urls['src/real-html.png']}">`)
    expect(html).toContain('<!-- <img src="./src/n3.png"> commented out -->')
    const js = await outputText(dist, ['.js'])
    expect(js).toContain("new URL('./n9.png', import.meta.url)")
    expect(hostedUrlsIn(withoutComments(js), emulator.url)).toEqual([urls['src/real-js.png']])
    expect(hostedUrlsIn(await outputText(dist, ['.css']), emulator.url)).toEqual([urls['src/real-css.png']])
  })

  test('a CSS file imported as text (`?raw`, `?inline`) is not rewritten, and its media are not uploaded', async () => {
    const root = await fixtures.project({
      'index.html': '<!doctype html><html><body><script type="module" src="./src/main.js"></script></body></html>\n',
      'src/main.js': [
        "import raw from './rawme.css?raw'",
        "import inline from './inline.css?inline'",
        "import url from './urlme.css?url'",
        "import './real.css'",
        'document.body.dataset.css = [raw, inline, url].join()',
        '',
      ].join('\n'),
      'src/rawme.css': '.r{background:url(./as-raw.png)}\n',
      'src/inline.css': '.i{background:url(./as-inline.png)}\n',
      'src/urlme.css': '.u{background:url(./as-url.png)}\n',
      'src/real.css': '.x{background:url(./real.png)}\n',
      'src/as-raw.png': png(3, 3, 340),
      'src/as-inline.png': png(3, 3, 341),
      'src/as-url.png': png(3, 3, 342),
      'src/real.png': png(5, 5, 343),
    })
    const dist = await build(root, emulatorOptions(emulator))
    // Vite (≥ 6) builds a `?url` stylesheet as a stylesheet of its own (`urlme.css?transform-only`,
    // emitted as a .css file): its url() is a real reference, hosted like any other.
    const urls = await expectLockfileFor(root, emulator.url, ['src/as-url.png', 'src/real.png'])
    const names = emulator.files().map((file) => file.displayName)
    for (const name of ['as-raw.png', 'as-inline.png']) expect(names).not.toContain(name)
    const js = await outputText(dist, ['.js'])
    expect(js).toContain('.r{background:url(./as-raw.png)}')
    expect(hostedUrlsIn(js, emulator.url)).toEqual([])
    expect(hostedUrlsIn(await outputText(dist, ['.css']), emulator.url).sort()).toEqual([urls['src/as-url.png'], urls['src/real.png']].sort())
  })

  test("`/…` in CSS and HTML starts from Vite's root, not from the plugin's `root` above it", async () => {
    const project = await fixtures.project({
      'src/m.png': png(6, 6, 350), // <project>/src/m.png: what `/src/m.png` must not mean
      'app/index.html': '<!doctype html><html><body><img src="/src/m.png"><script type="module" src="./src/main.js"></script></body></html>\n',
      'app/src/main.js': "import './s.css'\n",
      'app/src/s.css': '.y { background: url(/src/m.png) }\n',
      'app/src/m.png': png(7, 7, 351),
    })
    const app = join(project, 'app')
    const dist = await build(app, emulatorOptions(emulator, project))
    const urls = await expectLockfileFor(project, emulator.url, ['app/src/m.png'])
    expect(await readFile(join(dist, 'index.html'), 'utf8')).toContain(`<img src="${urls['app/src/m.png']}">`)
    expect(hostedUrlsIn(await outputText(dist, ['.css']), emulator.url)).toEqual([urls['app/src/m.png']])
  })
})

/** One `vite build` like `build`, with `resolve.alias`, and the plugin's warnings. */
async function buildWithWarnings(root: string, options: WixMediaPluginOptions, alias: AliasOptions = {}): Promise<{ dist: string; warnings: string[] }> {
  const { dist, logs } = await viteBuild(root, options, { resolve: { alias }, build: { assetsInlineLimit: 0 } })
  return { dist, warnings: pluginLines([...logs.warn, ...logs.error]) }
}

describe('Vite: aliases, cache-busting queries, and a word for what stays local', () => {
  test('an aliased url() (in a stylesheet, an @imported one, new URL()) is hosted, absolute and root-relative aliases alike', async () => {
    const root = await fixtures.project({
      'index.html': '<!doctype html><html><body><script type="module" src="./src/main.js"></script></body></html>\n',
      'src/main.js': "import './s.css'\ndocument.body.dataset.u = new URL('@/n8.png', import.meta.url).href\n",
      'src/s.css': "@import './parts/p.css';\n.a { background: url(@/n6.png) }\n.b { background: url('~img/n9.png') }\n",
      'src/parts/p.css': '.c { background: url(@/parts/n7.png) }\n',
      'src/n6.png': png(4, 4, 360),
      'src/parts/n7.png': png(4, 4, 361),
      'src/n8.png': png(4, 4, 362),
      'src/img/n9.png': png(4, 4, 363),
    })
    const { dist, warnings } = await buildWithWarnings(root, emulatorOptions(emulator), [
      { find: '@', replacement: join(root, 'src') },
      { find: /^~img\//, replacement: '/src/img/' },
    ])
    const urls = await expectLockfileFor(root, emulator.url, ['src/img/n9.png', 'src/n6.png', 'src/n8.png', 'src/parts/n7.png'])
    expect(warnings).toEqual([])
    const css = await outputText(dist, ['.css'])
    expect(hostedUrlsIn(css, emulator.url).sort()).toEqual([urls['src/n6.png'], urls['src/parts/n7.png'], urls['src/img/n9.png']].sort())
    expect(hostedUrlsIn(withoutComments(await outputText(dist, ['.js'])), emulator.url)).toEqual([urls['src/n8.png']])
    expect(await mediaInOutput(dist, join(root, 'src'))).toEqual([])
  })

  test('cache-busting queries (?v=2, ?t=…, a bare ?123) are hosted as the file without them; a fragment stays on the URL', async () => {
    const root = await fixtures.project({
      'index.html': '<!doctype html><html><body><img src="./src/p6.png?v=2"><script type="module" src="./src/main.js"></script></body></html>\n',
      'src/main.js': [
        "import './s.css'",
        "import w from './p5.png?url&v=2'",
        "import f from './p4.png?url#x'",
        "import n from './p7.png?123'",
        "import t from './p5.png?t=1700000000'",
        'document.body.dataset.m = [w, f, n, t].join()',
        '',
      ].join('\n'),
      'src/s.css': '.a { background: url(./p2.png?v=1) }\n.b { background: url("./p3.png?version=1.2.0#frag") }\n',
      'src/p2.png': png(4, 4, 370),
      'src/p3.png': png(4, 4, 371),
      'src/p4.png': png(4, 4, 372),
      'src/p5.png': png(4, 4, 373),
      'src/p6.png': png(4, 4, 374),
      'src/p7.png': png(4, 4, 375),
    })
    const { dist, warnings } = await buildWithWarnings(root, emulatorOptions(emulator))
    const urls = await expectLockfileFor(root, emulator.url, ['src/p2.png', 'src/p3.png', 'src/p4.png', 'src/p5.png', 'src/p6.png', 'src/p7.png'])
    expect(warnings).toEqual([])
    expect(await readFile(join(dist, 'index.html'), 'utf8')).toContain(`<img src="${urls['src/p6.png']}">`)
    const css = await outputText(dist, ['.css'])
    expect(css).toContain(`url(${urls['src/p2.png']})`)
    expect(css).toContain(`${urls['src/p3.png']}#frag`)
    const js = withoutComments(await outputText(dist, ['.js']))
    expect([...new Set(hostedUrlsIn(js, emulator.url))].sort()).toEqual([urls['src/p4.png'], urls['src/p5.png'], urls['src/p7.png']].sort())
    expect(js).toContain(`${urls['src/p4.png']}#x`)
    expect(localMediaMentions(js, emulator.url)).toEqual([])
    expect(await mediaInOutput(dist, join(root, 'src'))).toEqual([])
  })

  test("other queries stay with Vite, with one warning per file and query; none for ?raw and ?inline, which ask for the file's content", async () => {
    const root = await fixtures.project({
      'index.html': '<!doctype html><html><body><img src="./src/q3.png?w=300"><script type="module" src="./src/main.js"></script></body></html>\n',
      'src/main.js': [
        "import './s.css'",
        "import a from './q1.png?w=300&format=webp'",
        "import b from './q1.png?w=300&format=webp'",
        "import c from './q4.svg?raw'",
        "import d from './q5.png?inline'",
        'document.body.dataset.m = [a, b, c, d].join()',
        '',
      ].join('\n'),
      'src/s.css': '.a { background: url(./q2.png?size=2) }\n.b { background: url(./q2.png?size=2) }\n',
      'src/q1.png': png(4, 4, 380),
      'src/q2.png': png(4, 4, 381),
      'src/q3.png': png(4, 4, 382),
      'src/q4.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
      'src/q5.png': png(4, 4, 383),
    })
    const { warnings } = await buildWithWarnings(root, emulatorOptions(emulator))
    expect(emulator.files().map((file) => file.displayName)).not.toEqual(expect.arrayContaining(['q1.png']))
    const hosting = 'the plugin hosts plain references, `?url` and cache-busting queries such as `?v=2`; another plugin or the bundler handles this one'
    expect(warnings.sort()).toEqual([
      `[unplugin-wix-media] src/q1.png?w=300&format=webp: kept local (${hosting})`,
      `[unplugin-wix-media] src/q2.png?size=2: kept local (${hosting})`,
      `[unplugin-wix-media] src/q3.png?w=300: kept local (${hosting})`,
    ])
  })

  test("files of Vite's public folder (`/logo.png` from HTML, CSS or JS) stay as they are, with no warning and no upload", async () => {
    const root = await fixtures.project({
      'index.html': '<!doctype html><html><body><img src="/logo.png"><script type="module" src="./src/main.js"></script></body></html>\n',
      'src/main.js': "import './s.css'\nimport logo from '/logo.png'\ndocument.body.dataset.logo = logo\n",
      'src/s.css': '.a { background: url(/logo.png) }\n',
      'public/logo.png': png(4, 4, 390),
    })
    const before = emulator.files().length
    const { dist, warnings } = await buildWithWarnings(root, emulatorOptions(emulator))
    expect(warnings).toEqual([])
    expect(emulator.files()).toHaveLength(before)
    const text = await outputText(dist, ['.html', '.css', '.js'])
    expect(text.match(/\/logo\.png/g)?.length).toBeGreaterThanOrEqual(3)
    expect(hostedUrlsIn(text, emulator.url)).toEqual([])
  })
})
