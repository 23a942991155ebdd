/**
 * Rollup builds `fixtures/bundler-app/src/no-css.js` (Rollup bundles no CSS on its own, so the CSS
 * half of the fixture is Vite's, esbuild's, webpack's and Rspack's to prove) against the emulator.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { rollup, type Plugin, type RollupLog } from 'rollup'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startEmulator, type Emulator } from '../../src/emulator/index.ts'
import type { WixMediaPluginOptions } from '../../src/plugin/options.ts'
import wixMedia from '../../src/rollup.ts'
import {
  anonymousOptions, BUNDLER_APP_MEDIA, captureStderr, distinctHostedUrls, emulatorOptions, evaluateExports, expectLockfileFor, expectServedFrom,
  hashesOf, listFiles, localMediaMentions, mediaInOutput, outputText, sha256, useFixtureCopies, withoutComments, withoutCredentialsInEnv,
} from '../support/build.ts'
import { countRoute, LOCKFILE, readLock } from '../support/project.ts'

const copyFixture = useFixtureCopies()
let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator({ seed: 21, processingMs: { VIDEO: 0, AUDIO: 0 } })
})
afterAll(async () => {
  await emulator?.close()
})

/** One Rollup build of `src/no-css.js` into `<root>/<outDir>`; returns the output dir and Rollup's warnings. */
async function build(root: string, options: WixMediaPluginOptions | Plugin | Plugin[], outDir: string) {
  const warnings: RollupLog[] = []
  const plugins = Array.isArray(options) || 'name' in options ? options : wixMedia(options)
  const bundle = await rollup({ input: join(root, 'src/no-css.js'), plugins, onwarn: (warning) => warnings.push(warning) })
  try {
    await bundle.write({ dir: join(root, outDir), format: 'es' })
  } finally {
    await bundle.close()
  }
  return { dist: join(root, outDir), warnings }
}

describe('Rollup: fixtures/bundler-app/src/no-css.js against the emulator', () => {
  let root: string
  let urls: Record<string, string>
  let lockText: string

  test('a first build uploads each media file once and every reference in the output is its hosted URL', async () => {
    root = await copyFixture('bundler-app')
    const { result: { dist, warnings }, stderr } = await captureStderr(() => build(root, emulatorOptions(emulator, root), 'dist'))
    expect(warnings).toEqual([])
    expect(stderr).toMatch(/^\[unplugin-wix-media\] uploaded 5 files \(4\.8 kB\), reused 0, adopted 0 in \d+ ms$/m)

    urls = await expectLockfileFor(root, emulator.url, BUNDLER_APP_MEDIA)
    lockText = await readFile(join(root, LOCKFILE), 'utf8')
    expect(countRoute(emulator, 'upload')).toBe(5)
    expect(emulator.files().map((file) => file.displayName).sort()).toEqual(['background.png', 'icon.svg', 'lazy.png', 'manual.pdf', 'photo.png'])

    // What the bundle evaluates to: default import, `?url`, `new URL(…, import.meta.url)`, dynamic import().
    expect(await evaluateExports(join(dist, 'no-css.js'))).toEqual({
      photoUrl: urls['src/assets/photo.png'],
      iconUrl: urls['src/assets/icon.svg'],
      manualUrl: urls['src/assets/manual.pdf'],
      backgroundUrl: urls['src/assets/background.png'],
      lazyUrl: urls['src/assets/lazy.png'],
    })
    const js = await outputText(dist, ['.js'])
    expect(distinctHostedUrls(js, emulator.url)).toEqual(Object.values(urls).sort())
    expect(localMediaMentions(withoutComments(js), emulator.url)).toEqual([])

    // Only JS in the output: no uploaded file was also emitted (by name or by bytes).
    expect(await listFiles(dist)).toEqual([expect.stringMatching(/^lazy-[\w-]+\.js$/), 'no-css.js'])
    expect(await mediaInOutput(dist, join(root, 'src'))).toEqual([])

    await expectServedFrom(root, urls)
  })

  test('a second build makes no API call and writes the same output', async () => {
    emulator.clearRequests()
    const { result: { dist }, stderr } = await captureStderr(() => build(root, emulatorOptions(emulator, root), 'dist-again'))
    expect(emulator.requests()).toEqual([])
    expect(stderr).toMatch(/^\[unplugin-wix-media\] uploaded 0 files \(0\.0 kB\), reused 5, adopted 0 in \d+ ms$/m)
    expect(await hashesOf(dist)).toEqual(await hashesOf(join(root, 'dist')))
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lockText)
  })

  test('a build with the lockfile and no credentials succeeds offline with the same URLs', async () => {
    emulator.clearRequests()
    const { dist } = await withoutCredentialsInEnv(async () => {
      expect([process.env.WIX_API_KEY, process.env.WIX_SITE_ID]).toEqual([undefined, undefined])
      return build(root, anonymousOptions(emulator, root), 'dist-ci')
    })
    expect(emulator.requests()).toEqual([])
    expect(await hashesOf(dist)).toEqual(await hashesOf(join(root, 'dist')))
    expect((await evaluateExports(join(dist, 'no-css.js'))).photoUrl).toBe(urls['src/assets/photo.png'])
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lockText)
  })

  test('one plugin instance building again (watch mode) hosts a file that changed in between', async () => {
    const plugin = wixMedia(emulatorOptions(emulator, root))
    emulator.clearRequests()
    await build(root, plugin, 'dist-watch')
    expect(emulator.requests()).toEqual([])
    const changed = Buffer.concat([await readFile(join(root, 'src/assets/photo.png')), Buffer.from('edited')])
    await writeFile(join(root, 'src/assets/photo.png'), changed)
    const { result: { dist }, stderr } = await captureStderr(() => build(root, plugin, 'dist-watch'))
    expect(stderr).toMatch(/^\[unplugin-wix-media\] uploaded 1 files \(2\.0 kB\), reused 4, adopted 0 in \d+ ms$/m)
    expect(countRoute(emulator, 'upload')).toBe(1)
    const entry = (await readLock(root)).files[sha256(changed)]
    expect(entry?.paths).toEqual(['src/assets/photo.png'])
    expect(entry?.url).not.toBe(urls['src/assets/photo.png'])
    const exports = await evaluateExports(join(dist, 'no-css.js'))
    expect(exports.photoUrl).toBe(entry?.url)
    expect(exports.iconUrl).toBe(urls['src/assets/icon.svg'])
    await expectServedFrom(root, { 'src/assets/photo.png': entry!.url })
  })
})
