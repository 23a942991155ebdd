/**
 * Rspack builds `fixtures/bundler-app/src/index.js` (CSS through Rspack's built-in CSS support,
 * `type: 'css'`, extracted to a .css file; a dynamic import) into ES module output against the emulator.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { rspack, type Configuration, type Stats } from '@rspack/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startEmulator, type Emulator } from '../../src/emulator/index.ts'
import type { WixMediaPluginOptions } from '../../src/plugin/options.ts'
import wixMedia from '../../src/rspack.ts'
import {
  anonymousOptions, BUNDLER_APP_MEDIA, captureStderr, distinctHostedUrls, emulatorOptions, evaluateExports, expectLockfileFor,
  expectServedFrom, hashesOf, hostedUrlsIn, listFiles, localMediaMentions, mediaInOutput, outputText, sha256, useFixtureCopies,
  withoutComments, withoutCredentialsInEnv,
} from '../support/build.ts'
import { countRoute, LOCKFILE } from '../support/project.ts'

const copyFixture = useFixtureCopies()
/** The rule webpack's asset-management guide (and most app templates) give media files. */
const ASSET_RULE = { test: /\.(png|svg|jpe?g|gif|pdf)$/i, type: 'asset/resource' as const }
/** Each export of the fixture's entry and the file it references. */
const EXPORTED: Record<string, string> = {
  photoUrl: 'src/assets/photo.png',
  iconUrl: 'src/assets/icon.svg',
  manualUrl: 'src/assets/manual.pdf',
  backgroundUrl: 'src/assets/background.png',
  lazyUrl: 'src/assets/lazy.png',
}
let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator({ seed: 25, processingMs: { VIDEO: 0, AUDIO: 0 } })
})
afterAll(async () => {
  await emulator?.close()
})

function config(root: string, options: WixMediaPluginOptions, outDir: string, rules: NonNullable<Configuration['module']>['rules'] = []): Configuration {
  return {
    mode: 'production',
    context: root,
    entry: './src/index.js',
    output: { path: join(root, outDir), module: true, library: { type: 'modern-module' } },
    module: { rules: [{ test: /\.css$/, type: 'css' }, ...rules] },
    optimization: { minimize: false },
    plugins: [wixMedia(options)],
  }
}

/** Runs one Rspack compilation; returns the output dir and Rspack's errors and warnings. */
async function build(configuration: Configuration) {
  const compiler = rspack(configuration)
  const stats = await new Promise<Stats>((resolve, reject) => {
    compiler.run((error, result) => (error || !result ? reject(error ?? new Error('no stats')) : resolve(result)))
  })
  await new Promise<void>((resolve, reject) => compiler.close((error) => (error ? reject(error) : resolve())))
  const { errors = [], warnings = [] } = stats.toJson({ all: false, errors: true, warnings: true })
  return { dist: configuration.output!.path!, errors: errors.map((error) => error.message), warnings: warnings.map((warning) => warning.message) }
}

describe('Rspack: fixtures/bundler-app/src/index.js against the emulator', () => {
  let root: string
  let urls: Record<string, string>
  let lockText: string

  test('a first build uploads each media file once and every JS and CSS reference is its hosted URL', async () => {
    root = await copyFixture('bundler-app')
    const { result: { dist, errors, warnings }, stderr } = await captureStderr(() => build(config(root, emulatorOptions(emulator, root), 'dist')))
    expect([errors, warnings]).toEqual([[], []])
    expect(stderr).toMatch(/\[unplugin-wix-media\] uploaded 5 files \(4\.8 kB\), reused 0, adopted 0 in \d+ ms$/m)

    urls = await expectLockfileFor(root, emulator.url, BUNDLER_APP_MEDIA)
    lockText = await readFile(join(root, LOCKFILE), 'utf8')
    expect(countRoute(emulator, 'upload')).toBe(5)

    expect(await evaluateExports(join(dist, 'main.mjs'))).toEqual({
      photoUrl: urls['src/assets/photo.png'],
      iconUrl: urls['src/assets/icon.svg'],
      manualUrl: urls['src/assets/manual.pdf'],
      backgroundUrl: urls['src/assets/background.png'],
      lazyUrl: urls['src/assets/lazy.png'],
    })
    const js = await outputText(dist, ['.mjs'])
    expect(distinctHostedUrls(js, emulator.url)).toEqual(Object.values(urls).sort())
    expect(localMediaMentions(withoutComments(js), emulator.url)).toEqual([])
    // CSS: .banner url(background), .retina image-set(photo 1x, url(lazy) 2x), in that order.
    const css = await readFile(join(dist, 'main.css'), 'utf8')
    expect(hostedUrlsIn(css, emulator.url)).toEqual([
      urls['src/assets/background.png'], urls['src/assets/photo.png'], urls['src/assets/lazy.png'],
    ])
    expect(localMediaMentions(withoutComments(css), emulator.url)).toEqual([])

    // Rspack's own asset handling (`new URL(…, import.meta.url)`, CSS url()) emitted nothing.
    expect(await listFiles(dist)).toEqual(['lazy.mjs', 'main.css', 'main.mjs'])
    expect(await mediaInOutput(dist, join(root, 'src'))).toEqual([])

    await expectServedFrom(root, urls)
  })

  test('a second build makes no API call and writes the same output', async () => {
    emulator.clearRequests()
    const { result: { dist, errors }, stderr } = await captureStderr(() => build(config(root, emulatorOptions(emulator, root), 'dist-again')))
    expect(errors).toEqual([])
    expect(emulator.requests()).toEqual([])
    expect(stderr).toMatch(/\[unplugin-wix-media\] uploaded 0 files \(0\.0 kB\), reused 5, adopted 0 in \d+ ms$/m)
    expect(await hashesOf(dist)).toEqual(await hashesOf(join(root, 'dist')))
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lockText)
  })

  test('a build with the lockfile and no credentials succeeds offline with the same URLs', async () => {
    emulator.clearRequests()
    const { dist, errors } = await withoutCredentialsInEnv(async () => {
      expect([process.env.WIX_API_KEY, process.env.WIX_SITE_ID]).toEqual([undefined, undefined])
      return build(config(root, anonymousOptions(emulator, root), 'dist-ci'))
    })
    expect(errors).toEqual([])
    expect(emulator.requests()).toEqual([])
    expect(await hashesOf(dist)).toEqual(await hashesOf(join(root, 'dist')))
    expect((await evaluateExports(join(dist, 'main.mjs'))).manualUrl).toBe(urls['src/assets/manual.pdf'])
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lockText)
  })

  test('with the usual `asset/resource` rule for media, hosted files are still JS modules: nothing is emitted', async () => {
    emulator.clearRequests()
    const { dist, errors } = await build(config(root, emulatorOptions(emulator, root), 'dist-assets', [ASSET_RULE]))
    expect(errors).toEqual([])
    expect(emulator.requests()).toEqual([])
    expect(await evaluateExports(join(dist, 'main.mjs'))).toEqual({
      photoUrl: urls['src/assets/photo.png'],
      iconUrl: urls['src/assets/icon.svg'],
      manualUrl: urls['src/assets/manual.pdf'],
      backgroundUrl: urls['src/assets/background.png'],
      lazyUrl: urls['src/assets/lazy.png'],
    })
    expect(await mediaInOutput(dist, join(root, 'src'))).toEqual([])
    expect(await hashesOf(dist)).toEqual(await hashesOf(join(root, 'dist')))
  })

  test("`fallback: 'local'` without credentials leaves new files to the project's asset rule", async () => {
    const fresh = await copyFixture('bundler-app')
    emulator.clearRequests()
    const { result: { dist, errors }, stderr } = await withoutCredentialsInEnv(() =>
      captureStderr(() => build(config(fresh, { ...anonymousOptions(emulator, fresh), fallback: 'local' }, 'dist', [ASSET_RULE]))))
    expect(errors).toEqual([])
    expect(emulator.requests()).toEqual([])
    for (const path of BUNDLER_APP_MEDIA) expect(stderr).toContain(`<w> [unplugin-wix-media] ${path}: kept local (no credentials to upload it)`)
    const exports = await evaluateExports(join(dist, 'main.mjs'))
    const local: Record<string, string> = {}
    for (const [key, path] of Object.entries(EXPORTED)) {
      const url = String(exports[key])
      // A hashed file in dist (webpack keeps the `?url` query in an asset's URL).
      expect(url, key).toMatch(new RegExp(`^${pathToFileURL(dist).href}/[\\w.-]+(?:\\?url)?$`))
      local[key] = sha256(await readFile(fileURLToPath(url)))
      expect(local[key], key).toBe(sha256(await readFile(join(fresh, path))))
    }
    expect(hostedUrlsIn(await outputText(dist, ['.mjs', '.css']), emulator.url)).toEqual([])
    expect(await listFiles(fresh)).not.toContain(LOCKFILE)
  })
})
