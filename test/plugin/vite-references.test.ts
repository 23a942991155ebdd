/**
 * Vite builds of small projects against the emulator: which references the rewrite step finds.
 * Every media attribute of every HTML tag; nothing in comments or JS strings; nothing in a CSS file
 * imported as text (`?raw`, `?inline`); and `/…` starting from Vite's root, not the plugin's.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build as viteBuild } from 'vite'
import { describe, expect, test } from 'vitest'
import type { WixMediaPluginOptions } from '../../src/plugin/options.ts'
import wixMedia from '../../src/vite.ts'
import { emulatorOptions, expectLockfileFor, hostedUrlsIn, localMediaMentions, outputText, useBuildEmulator, withoutComments } from '../support/build.ts'
import { mp4, png } from '../support/media.ts'
import { useFixtures } from '../support/project.ts'

const fixtures = useFixtures()
const emulator = useBuildEmulator(31)

/** One `vite build` of `root` into `<root>/dist`, quiet, media never inlined by Vite. */
async function build(root: string, options: WixMediaPluginOptions): Promise<string> {
  await viteBuild({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins: [wixMedia(options)],
    build: { outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 0 },
  })
  return join(root, 'dist')
}

describe('Vite: the references the rewrite step finds', () => {
  test('HTML: every media attribute of a tag is rewritten (src and srcset, src and poster, each srcset URL)', async () => {
    const root = await fixtures.project({
      'index.html': [
        '<!doctype html><html><head><link rel="icon" type="image/png" href="./src/icon.png"></head><body>',
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
    })
    const dist = await build(root, emulatorOptions(emulator))
    const urls = await expectLockfileFor(root, emulator.url, [
      'src/h1.png', 'src/h2.png', 'src/h3.png', 'src/h4.png', 'src/h5.png', 'src/h6.png', 'src/icon.png', 'src/v.mp4',
    ])
    const html = await readFile(join(dist, 'index.html'), 'utf8')
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
