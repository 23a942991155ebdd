/**
 * Vite inlines a stylesheet's `@import`s inside its own CSS plugin (postcss-import reads the imported
 * files from disk), so no plugin hook ever sees the imported files: their `url()`s must still be
 * hosted, whatever file and folder they come from. Also: a project's own PostCSS config (file or
 * inline) keeps working, and the dev server's config is left as it is.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, resolveConfig, type InlineConfig } from 'vite'
import { afterAll, describe, expect, test } from 'vitest'
import type { WixMediaPluginOptions } from '../../src/plugin/options.ts'
import wixMedia from '../../src/vite.ts'
import {
  emulatorOptions, expectLockfileFor, expectServedFrom, hostedUrlPattern, hostedUrlsIn, listFiles, localMediaMentions, mediaInOutput, outputText,
  useBuildEmulator,
} from '../support/build.ts'
import { encodePng, png } from '../support/media.ts'
import { countRoute, writeTree, type Tree } from '../support/project.ts'
import { viteBuild } from '../support/vite-build.ts'

const emulator = useBuildEmulator(31)

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

/** A fresh project in a temp dir, removed after the file's tests. */
async function project(files: Tree): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'wix-media-css-import-'))
  dirs.push(root)
  await writeTree(root, files)
  return root
}

/** Noisy pixels, stored uncompressed: well over Vite's 4 kB inline limit, so Vite would emit it. */
const LARGE = encodePng(48, 48, (x, y) => [(x * 37 + y * 11) & 0xff, (x * y * 7) & 0xff, (x ^ y) * 5 & 0xff], 0)

/**
 * `site.css` (linked from index.html) imports `parts/layout.css`, which imports `parts/cards/card.css`:
 * two levels, with `url()`s relative to each imported file's own folder (`./`, `../`, a sibling
 * folder) and an `image-set()`. `button.module.css` (a CSS module, imported from JS) imports
 * `parts/icons.css`.
 */
const NESTED: Tree = {
  'index.html': '<!doctype html><html><head><link rel="stylesheet" href="./src/site.css"></head>' +
    '<body><script type="module" src="./src/main.js"></script></body></html>\n',
  'src/main.js': "import styles from './button.module.css'\ndocument.body.className = styles.button\n",
  'src/site.css': "@import './parts/layout.css';\n\n.site {\n  background: url(./images/site.png);\n}\n",
  'src/parts/layout.css': "@import './cards/card.css';\n\n.layout {\n  background: url('../images/layout.png');\n}\n\n" +
    '.banner {\n  background: url(./banner.png) no-repeat;\n}\n',
  'src/parts/cards/card.css': '.card {\n  background-image: url("./card.png");\n}\n\n' +
    ".retina {\n  background-image: image-set('./card@2x.png' 2x, url(../banner.png) 1x);\n}\n",
  'src/button.module.css': "@import './parts/icons.css';\n\n.button {\n  background: url(./images/button.png);\n}\n",
  'src/parts/icons.css': '.icon {\n  mask-image: url(../images/icon.png);\n}\n',
  'src/images/site.png': png(10, 10, 3101),
  'src/images/layout.png': png(10, 10, 3102),
  'src/parts/banner.png': LARGE,
  'src/parts/cards/card.png': png(10, 10, 3103),
  'src/parts/cards/card@2x.png': png(20, 20, 3104),
  'src/images/button.png': png(10, 10, 3105),
  'src/images/icon.png': png(10, 10, 3106),
}

const NESTED_MEDIA = [
  'src/images/button.png',
  'src/images/icon.png',
  'src/images/layout.png',
  'src/images/site.png',
  'src/parts/banner.png',
  'src/parts/cards/card.png',
  'src/parts/cards/card@2x.png',
]

/** One `vite build` of `root` into `<root>/dist`, with everything Vite warned of. */
async function build(root: string, options: WixMediaPluginOptions, extra: InlineConfig = {}) {
  const { dist, logs } = await viteBuild(root, options, extra)
  return { dist, warnings: [...logs.warn, ...logs.error] }
}

/** A PostCSS plugin that adds `--<name>: 1` to `.card`: the witness that a project's PostCSS plugin ran. */
function marker(name: string) {
  return {
    postcssPlugin: name,
    Rule(rule: { selector: string; append(declaration: { prop: string; value: string }): void }) {
      if (rule.selector === '.card') rule.append({ prop: `--${name}`, value: '1' })
    },
  }
}

/** A `postcss.config.mjs` with the same plugin, named `from-file`. */
const MARKER_CONFIG = "export default { plugins: [{ postcssPlugin: 'from-file', " +
  "Rule(rule) { if (rule.selector === '.card') rule.append({ prop: '--from-file', value: '1' }) } }] }\n"

/** What the hosted URL of a PNG looks like. */
const hostedImage = () => hostedUrlPattern(emulator.url, 'x.png')

/** Every `url(…)` of `css`, unquoted, in order. */
function cssUrls(css: string): string[] {
  return [...css.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? '')
}

/** The first rule for `selector` in (minified) `css`: its declarations. */
function ruleOf(css: string, selector: RegExp): string | undefined {
  return new RegExp(`${selector.source}\\{([^}]*)\\}`).exec(css)?.[1]
}

describe('Vite: url() in stylesheets pulled in with @import', () => {
  test('every url() of the built CSS, from any imported file and folder, is a hosted URL; no image is in dist', async () => {
    const root = await project(NESTED)
    const { dist, warnings } = await build(root, emulatorOptions(emulator))
    expect(warnings).toEqual([])

    const urls = await expectLockfileFor(root, emulator.url, NESTED_MEDIA)
    expect(countRoute(emulator, 'upload')).toBe(NESTED_MEDIA.length)
    const css = await outputText(dist, ['.css'])
    const found = cssUrls(css)
    for (const url of found) expect(url).toMatch(hostedImage())
    expect([...new Set(found)].sort()).toEqual(Object.values(urls).sort())
    expect(localMediaMentions(css, emulator.url)).toEqual([])
    expect(css).not.toContain('data:image')

    // Each rule got the URL of the file its own url() names, relative to the file it is written in
    // (in the CSS module, the imported rule is scoped too).
    expect(ruleOf(css, /\.card/)).toContain(`url(${urls['src/parts/cards/card.png']})`)
    expect(ruleOf(css, /\.layout/)).toContain(`url(${urls['src/images/layout.png']})`)
    expect(ruleOf(css, /\.banner/)).toContain(`url(${urls['src/parts/banner.png']})`)
    expect(ruleOf(css, /\.retina/)).toContain(urls['src/parts/cards/card@2x.png'])
    expect(ruleOf(css, /\.retina/)).toContain(urls['src/parts/banner.png'])
    expect(ruleOf(css, /\._icon_[\w-]+/)).toContain(`url(${urls['src/images/icon.png']})`)
    expect(ruleOf(css, /\._button_[\w-]+/)).toContain(`url(${urls['src/images/button.png']})`)

    expect(await mediaInOutput(dist, join(root, 'src'))).toEqual([])
    await expectServedFrom(root, urls)
  })

  test("the project's PostCSS config still applies, from a config file or inline, and nested url()s are hosted", async () => {
    const root = await project({ ...NESTED, 'postcss.config.mjs': MARKER_CONFIG })
    const fromFile = await build(root, emulatorOptions(emulator))
    const fileCss = await outputText(fromFile.dist, ['.css'])
    expect(ruleOf(fileCss, /\.card/)).toContain('--from-file:1')
    for (const url of cssUrls(fileCss)) expect(url).toMatch(hostedImage())

    // An inline `css.postcss` wins over the file (Vite's rule), and keeps its plugins.
    const inline = { plugins: [marker('inline')] }
    const { dist } = await build(root, emulatorOptions(emulator), { css: { postcss: inline } })
    const css = await outputText(dist, ['.css'])
    expect(ruleOf(css, /\.card/)).toContain('--inline:1')
    expect(ruleOf(css, /\.card/)).not.toContain('--from-file')
    for (const url of cssUrls(css)) expect(url).toMatch(hostedImage())
    expect(await listFiles(dist)).toEqual(expect.not.arrayContaining([expect.stringMatching(/\.png$/)]))
  })

  test("the dev server: `dev: 'lockfile'` serves the lockfile's URLs for imported stylesheets too, without a request; `dev: 'local'` leaves them local", async () => {
    const root = await project(NESTED)
    await build(root, emulatorOptions(emulator))
    const urls = await expectLockfileFor(root, emulator.url, NESTED_MEDIA)
    emulator.clearRequests()
    const served = async (options: WixMediaPluginOptions) => {
      const server = await createServer({ root, configFile: false, logLevel: 'silent', server: { middlewareMode: true, ws: false }, plugins: [wixMedia(options)] })
      try {
        return (await server.environments.client.transformRequest('/src/site.css'))?.code ?? ''
      } finally {
        await server.close()
      }
    }
    const locked = await served({ ...emulatorOptions(emulator), dev: 'lockfile' })
    for (const path of ['src/images/site.png', 'src/images/layout.png', 'src/parts/banner.png', 'src/parts/cards/card.png', 'src/parts/cards/card@2x.png']) {
      expect(locked).toContain(urls[path])
    }
    expect(localMediaMentions(locked, emulator.url)).toEqual([])
    expect(emulator.requests()).toEqual([])

    const local = await served(emulatorOptions(emulator))
    expect(hostedUrlsIn(local, emulator.url)).toEqual([])
    expect(local).toContain('/src/parts/cards/card.png')
    expect(emulator.requests()).toEqual([])
  })

  test("the dev server (`dev: 'local'`, the default) gets no PostCSS config from the plugin; a build gets the plugin's", async () => {
    const root = await project(NESTED)
    const devConfig = await resolveConfig({ root, configFile: false, logLevel: 'silent', plugins: [wixMedia(emulatorOptions(emulator))] }, 'serve')
    expect(devConfig.css.postcss).toBeUndefined()
    const buildConfig = await resolveConfig({ root, configFile: false, logLevel: 'silent', plugins: [wixMedia(emulatorOptions(emulator))] }, 'build')
    expect(buildConfig.css.postcss).toEqual({ plugins: [expect.objectContaining({ postcssPlugin: 'unplugin-wix-media' })] })
  })
})
