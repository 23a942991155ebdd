/**
 * webpack 5 and Rspack build `fixtures/bundler-app/src/index.js` (CSS, a dynamic import) into ES module
 * output against the emulator. webpack takes the CSS through css-loader, into the JS; Rspack through
 * its built-in CSS support (`type: 'css'`), extracted to a .css file.
 */
import { createRequire } from 'node:module'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { rspack } from '@rspack/core'
import webpack from 'webpack'
import { describe, expect, test } from 'vitest'
import type { WixMediaPluginOptions } from '../../src/plugin/options.ts'
import rspackPlugin from '../../src/rspack.ts'
import webpackPlugin from '../../src/webpack.ts'
import {
  anonymousOptions, BUNDLER_APP_EXPORTS, BUNDLER_APP_MEDIA, captureStderr, emulatorOptions, evaluateExports, expectBundlerAppCss,
  expectBundlerAppHosted, expectLockfileFor, expectUnchangedRebuild, hostedExports, hostedUrlsIn, listFiles, mediaInOutput, offline, outputText, sha256,
  useBuildEmulator, useFixtureCopies, withoutCredentialsInEnv,
} from '../support/build.ts'
import { png } from '../support/media.ts'
import { LOCKFILE } from '../support/project.ts'

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const CSS_LOADER = createRequire(import.meta.url).resolve('css-loader')
const copyFixture = useFixtureCopies()
/** The rule webpack's asset-management guide (and most app templates) give media files. */
const ASSET_RULE = { test: /\.(png|svg|jpe?g|gif|pdf)$/i, type: 'asset/resource' as const }

/** What both configurations share: the fixture's entry, ES module output into `<root>/<outDir>`, unminified. */
function baseConfig(root: string, outDir: string) {
  return {
    mode: 'production' as const,
    context: root,
    entry: './src/index.js',
    output: { path: join(root, outDir), module: true },
    optimization: { minimize: false },
  }
}

/** The parts of webpack's and Rspack's compiler API a one-off build uses. */
interface Stats {
  toJson(options: object): { errors?: { message: string }[]; warnings?: { message: string }[] }
}
interface Compiler {
  run(callback: (error: Error | null, stats?: Stats) => void): void
  close(callback: (error?: Error | null) => void): void
}

/** Runs one compilation that writes into `dist`; returns `dist` and the bundler's errors and warnings. */
async function run(compiler: Compiler, dist: string) {
  const stats = await new Promise<Stats>((resolve, reject) => {
    compiler.run((error, result) => (error || !result ? reject(error ?? new Error('no stats')) : resolve(result)))
  })
  await new Promise<void>((resolve, reject) => compiler.close((error) => (error ? reject(error) : resolve())))
  const { errors = [], warnings = [] } = stats.toJson({ all: false, errors: true, warnings: true })
  return { dist, errors: errors.map((error) => error.message), warnings: warnings.map((warning) => warning.message) }
}

interface WebpackLike {
  name: string
  /** The emulator's seed. */
  seed: number
  /** One build of `<root>/src/index.js` into `<root>/<outDir>`, with the CSS rule and `rules`, and `resolve.alias`. */
  build(root: string, options: WixMediaPluginOptions, outDir: string, rules?: object[], alias?: Record<string, string>): ReturnType<typeof run>
  /** The CSS of `styles.css` in the first build's output (`js` is its JS). */
  css(dist: string, js: string): Promise<string>
  /** The files of the first build's output, sorted. */
  files: unknown[]
}

const BUNDLERS: WebpackLike[] = [
  {
    name: 'webpack',
    seed: 24,
    build: (root, options, outDir, rules = [], alias = {}) => {
      const base = baseConfig(root, outDir)
      return run(webpack({
        ...base,
        resolve: { alias },
        experiments: { outputModule: true },
        output: { ...base.output, library: { type: 'module' } },
        module: { rules: [{ test: /\.css$/, use: [CSS_LOADER] }, ...rules] },
        plugins: [webpackPlugin(options)],
      }), base.output.path)
    },
    // css-loader puts the CSS text into the bundle.
    css: async (_dist, js) => {
      const match = /\.banner \{[\s\S]*?\.retina \{[^}]*\}/.exec(js)
      expect(match, 'the CSS of styles.css in the bundle').not.toBeNull()
      return match![0]
    },
    files: [expect.stringMatching(/^\d+\.mjs$/), 'main.mjs'],
  },
  {
    name: 'Rspack',
    seed: 25,
    build: (root, options, outDir, rules = [], alias = {}) => {
      const base = baseConfig(root, outDir)
      return run(rspack({
        ...base,
        resolve: { alias },
        output: { ...base.output, library: { type: 'modern-module' } },
        module: { rules: [{ test: /\.css$/, type: 'css' }, ...rules] },
        plugins: [rspackPlugin(options)],
      }), base.output.path)
    },
    css: (dist) => readFile(join(dist, 'main.css'), 'utf8'),
    files: ['lazy.mjs', 'main.css', 'main.mjs'],
  },
]

describe.each(BUNDLERS)('$name: fixtures/bundler-app/src/index.js against the emulator', ({ seed, build, css, files }) => {
  const emulator = useBuildEmulator(seed)
  let root: string
  let urls: Record<string, string>
  let lockText: string

  test('a first build uploads each media file once and every JS and CSS reference is its hosted URL', async () => {
    root = await copyFixture('bundler-app')
    const { result: { dist, errors, warnings }, stderr } = await captureStderr(() => build(root, emulatorOptions(emulator, root), 'dist'))
    expect([errors, warnings]).toEqual([[], []])
    expect(stderr).toMatch(/\[unplugin-wix-media\] uploaded 5 files \(4\.8 kB\), reused 0, adopted 0 in \d+ ms$/m)

    const hosted = await expectBundlerAppHosted(emulator, root, dist, 'main.mjs')
    urls = hosted.urls
    lockText = hosted.lockText
    expectBundlerAppCss(await css(dist, hosted.js), emulator.url, urls)
    // The bundler's own asset handling (`new URL(…, import.meta.url)`, CSS url()) emitted nothing.
    expect(await listFiles(dist)).toEqual(files)
  })

  test('a second build makes no API call and writes the same output', async () => {
    const { errors, stderr } = await expectUnchangedRebuild(emulator, root, lockText, () => build(root, emulatorOptions(emulator, root), 'dist-again'))
    expect(errors).toEqual([])
    expect(stderr).toMatch(/\[unplugin-wix-media\] uploaded 0 files \(0\.0 kB\), reused 5, adopted 0 in \d+ ms$/m)
  })

  test('a build with the lockfile and no credentials succeeds offline with the same URLs', async () => {
    const { dist, errors } = await expectUnchangedRebuild(emulator, root, lockText, offline(() => build(root, anonymousOptions(emulator, root), 'dist-ci')))
    expect(errors).toEqual([])
    expect((await evaluateExports(join(dist, 'main.mjs'))).manualUrl).toBe(urls['src/assets/manual.pdf'])
  })

  test('with the usual `asset/resource` rule for media, hosted files are still JS modules: nothing is emitted', async () => {
    const { dist, errors } = await expectUnchangedRebuild(emulator, root, lockText, () => build(root, emulatorOptions(emulator, root), 'dist-assets', [ASSET_RULE]))
    expect(errors).toEqual([])
    expect(await evaluateExports(join(dist, 'main.mjs'))).toEqual(hostedExports(urls))
    expect(await mediaInOutput(dist, join(root, 'src'))).toEqual([])
  })

  test("`fallback: 'local'` without credentials leaves new files to the project's asset rule", async () => {
    const fresh = await copyFixture('bundler-app')
    emulator.clearRequests()
    const { result: { dist, errors }, stderr } = await withoutCredentialsInEnv(() =>
      captureStderr(() => build(fresh, { ...anonymousOptions(emulator, fresh), fallback: 'local' }, 'dist', [ASSET_RULE])))
    expect(errors).toEqual([])
    expect(emulator.requests()).toEqual([])
    for (const path of BUNDLER_APP_MEDIA) expect(stderr).toContain(`<w> [unplugin-wix-media] ${path}: kept local (no credentials to upload it)`)
    const exports = await evaluateExports(join(dist, 'main.mjs'))
    for (const [key, path] of Object.entries(BUNDLER_APP_EXPORTS)) {
      const url = String(exports[key])
      // A hashed file in dist (webpack keeps the `?url` query in an asset's URL).
      expect(url, key).toMatch(new RegExp(`^${pathToFileURL(dist).href}/[\\w.-]+(?:\\?url)?$`))
      expect(sha256(await readFile(fileURLToPath(url))), key).toBe(sha256(await readFile(join(fresh, path))))
    }
    expect(hostedUrlsIn(await outputText(dist, ['.mjs', '.css']), emulator.url)).toEqual([])
    expect(await listFiles(fresh)).not.toContain(LOCKFILE)
  })
})

describe.each(BUNDLERS)("$name: the project's wix-media.config", ({ seed, build }) => {
  const emulator = useBuildEmulator(seed + 300)

  test('is read from the bundler\'s context, under the options given to the plugin', async () => {
    const root = await copyFixture('bundler-app', { 'wix-media.config.json': JSON.stringify({ lockfile: 'media.lock.json', exclude: ['**/manual.pdf'] }) })
    const { dist, errors } = await build(root, emulatorOptions(emulator, root), 'dist', [ASSET_RULE])
    expect(errors).toEqual([])
    // The excluded PDF is the asset rule's: emitted.
    expect((await mediaInOutput(dist, join(root, 'src'))).map((file) => file.replace(/^.*\./, ''))).toEqual(['pdf'])
    const files = await listFiles(root)
    expect([files.includes('media.lock.json'), files.includes(LOCKFILE)]).toEqual([true, false])
    const lock = JSON.parse(await readFile(join(root, 'media.lock.json'), 'utf8')) as { files: Record<string, { paths: string[] }> }
    expect(Object.values(lock.files).flatMap((entry) => entry.paths).sort()).toEqual(BUNDLER_APP_MEDIA.filter((path) => !path.endsWith('.pdf')))
  })
})

describe.each(BUNDLERS)("$name: the project's own rules for media", ({ name, seed, build }) => {
  const emulator = useBuildEmulator(seed + 200)

  test('a file they give to a loader, or make asset/inline or asset/source, stays theirs, with one warning each; plain assets are hosted', async () => {
    const icon = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><circle r="2"/></svg>\n'
    const root = await copyFixture('bundler-app', {
      'src/index.js': [
        "import Icon from './assets/icon.svg'",
        "import raw from './assets/raw-icon.svg'",
        "import tiny from './assets/tiny.png'",
        "import photo from './assets/photo.png'",
        "import './icons.css'",
        'export const iconText = Icon()',
        'export const rawText = raw',
        'export const tinyUrl = tiny',
        'export const photoUrl = photo',
        '',
      ].join('\n'),
      'src/assets/raw-icon.svg': icon,
      'src/assets/tiny.png': png(2, 2, 77),
      // From a stylesheet, the SVG rule (issuer: scripts) does not apply: a plain asset, hosted.
      'src/icons.css': '.icon { background: url(./assets/icon.svg) }\n',
      // What @svgr/webpack does, in small: an SVG imported from a script becomes a component.
      'loaders/svg-component.cjs': 'module.exports = function (source) { return `export default () => ${JSON.stringify(`component of ${source.length} bytes`)}` }\n',
    })
    const rules = [
      { ...ASSET_RULE, test: /\.(png|jpe?g|gif|pdf)$/i },
      { test: /\.svg$/i, issuer: /\.js$/, exclude: /raw-icon\.svg$/, use: [{ loader: join(root, 'loaders/svg-component.cjs') }] },
      { test: /raw-icon\.svg$/, type: 'asset/source' },
      { oneOf: [{ test: /tiny\.png$/, type: 'asset/inline' }] },
    ]
    const { result: { dist, errors }, stderr } = await captureStderr(() => build(root, emulatorOptions(emulator, root), 'dist', rules))
    expect(errors).toEqual([])
    const exports = await evaluateExports(join(dist, 'main.mjs'))
    const iconBytes = (await readFile(join(root, 'src/assets/icon.svg'))).length
    expect(exports.iconText).toBe(`component of ${iconBytes} bytes`)
    expect(exports.rawText).toBe(icon)
    expect(String(exports.tinyUrl)).toMatch(/^data:image\/png;base64,/)
    const urls = await expectLockfileFor(root, emulator.url, ['src/assets/icon.svg', 'src/assets/photo.png'])
    expect(exports.photoUrl).toBe(urls['src/assets/photo.png'])
    if (name === 'Rspack') expect(await outputText(dist, ['.css'])).toContain(urls['src/assets/icon.svg'])
    const advice = ". The plugin hosts what they treat as a plain asset (type 'asset/resource' or 'asset', or no rule): narrow the rule's `test` or `issuer` to host it"
    const bundler = name === 'webpack' ? 'webpack' : 'rspack'
    expect(stderr.match(/\[unplugin-wix-media\].*kept local.*/g)?.sort()).toEqual([
      `[unplugin-wix-media] src/assets/icon.svg: kept local: the ${bundler} rules give it to ${join(root, 'loaders/svg-component.cjs')}${advice}`,
      `[unplugin-wix-media] src/assets/raw-icon.svg: kept local: the ${bundler} rules make it 'asset/source'${advice}`,
      `[unplugin-wix-media] src/assets/tiny.png: kept local: the ${bundler} rules make it 'asset/inline'${advice}`,
    ])
  })
})

describe.each(BUNDLERS)('$name: aliases in CSS, cache-busting queries, and a word for what stays local', ({ name, seed, build }) => {
  /** webpack's css-loader exports the CSS text, as the page gets it (an aliased url() through a module); Rspack writes a CSS file. */
  const cssInJs = name === 'webpack'

  const emulator = useBuildEmulator(seed + 100)

  test('an aliased url() and a cache-busted import or url() are hosted; an unknown query stays local with one warning', async () => {
    const root = await copyFixture('bundler-app', {
      'src/index.js': [
        cssInJs ? "import more from './more.css'\nexport const css = String(more)" : "import './more.css'",
        "import busted from './assets/photo.png?v=2'",
        "import other from './assets/lazy.png?size=2'",
        "import again from './assets/lazy.png?size=2'",
        "import required from './required.cjs'",
        'export const bustedUrl = busted',
        'export const requiredUrl = required.photo',
        'export const otherUrl = other === again ? other : undefined',
        '',
      ].join('\n'),
      'src/more.css': '.a { background: url(@/assets/background.png) }\n.b { background: url(./assets/icon.svg?v=3) }\n' +
        // css-loader's `~` module mark, after an item the plugin rewrote (css-loader then passes the rest over).
        '.c { background: image-set("./assets/icon.svg" 1x, url(~@/assets/background.png) 2x) }\n',
      // A CommonJS consumer gets the URL itself, as from an asset module: not a module object.
      'src/required.cjs': "module.exports = { photo: require('./assets/photo.png') }\n",
    })
    const { result: { dist, errors }, stderr } = await captureStderr(() =>
      build(root, emulatorOptions(emulator, root), 'dist', [ASSET_RULE], { '@': join(root, 'src') }))
    expect(errors).toEqual([])
    const urls = await expectLockfileFor(root, emulator.url, ['src/assets/background.png', 'src/assets/icon.svg', 'src/assets/photo.png'])
    const exports = await evaluateExports(join(dist, 'main.mjs'))
    expect(exports.bustedUrl).toBe(urls['src/assets/photo.png'])
    expect(exports.requiredUrl).toBe(urls['src/assets/photo.png'])
    expect(String(exports.otherUrl)).toMatch(new RegExp(`^${pathToFileURL(dist).href}/`))
    const text = cssInJs ? String(exports.css) : await outputText(dist, ['.css'])
    // Rspack quotes the URLs it writes.
    expect(text).toMatch(new RegExp(`url\\("?${escapeRegExp(urls['src/assets/background.png']!)}"?\\)`))
    expect(text).toMatch(new RegExp(`url\\("?${escapeRegExp(urls['src/assets/icon.svg']!)}"?\\)`))
    expect(text).not.toContain('~@/')
    expect(await mediaInOutput(dist, join(root, 'src'))).toEqual([expect.stringMatching(/\.png$/)])
    expect(stderr.match(/\[unplugin-wix-media\].*kept local.*/g)).toEqual([
      '[unplugin-wix-media] src/assets/lazy.png?size=2: kept local (the plugin hosts plain references, `?url` and cache-busting queries ' +
        'such as `?v=2`; another plugin or the bundler handles this one)',
    ])
  })
})
