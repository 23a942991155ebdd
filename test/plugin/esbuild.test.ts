/**
 * esbuild bundles `fixtures/bundler-app/src/index.js` (JS, CSS and a dynamic import, so `splitting`)
 * against the emulator. esbuild has no loader for media files by default: every one of them must come
 * from the plugin.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build as esbuild } from 'esbuild'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startEmulator, type Emulator } from '../../src/emulator/index.ts'
import wixMedia from '../../src/esbuild.ts'
import type { WixMediaPluginOptions } from '../../src/plugin/options.ts'
import {
  anonymousOptions, BUNDLER_APP_MEDIA, captureStderr, distinctHostedUrls, emulatorOptions, evaluateExports, expectLockfileFor,
  expectServedFrom, hashesOf, hostedUrlsIn, listFiles, localMediaMentions, mediaInOutput, outputText, useFixtureCopies,
  withoutComments, withoutCredentialsInEnv,
} from '../support/build.ts'
import { countRoute, LOCKFILE } from '../support/project.ts'

const copyFixture = useFixtureCopies()
let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator({ seed: 23, processingMs: { VIDEO: 0, AUDIO: 0 } })
})
afterAll(async () => {
  await emulator?.close()
})

/** One esbuild build of `src/index.js` into `<root>/<outDir>`; returns the output dir and esbuild's messages. */
async function build(root: string, options: WixMediaPluginOptions, outDir: string) {
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: [join(root, 'src/index.js')],
    bundle: true,
    format: 'esm',
    splitting: true,
    outdir: join(root, outDir),
    logLevel: 'silent',
    plugins: [wixMedia(options)],
  })
  return { dist: join(root, outDir), errors: result.errors, warnings: result.warnings }
}

describe('esbuild: fixtures/bundler-app/src/index.js against the emulator', () => {
  let root: string
  let urls: Record<string, string>
  let lockText: string

  test('a first build uploads each media file once and every JS and CSS reference is its hosted URL', async () => {
    root = await copyFixture('bundler-app')
    const { result: { dist, errors, warnings }, stderr } = await captureStderr(() => build(root, emulatorOptions(emulator, root), 'dist'))
    expect([errors, warnings]).toEqual([[], []])
    expect(stderr).toMatch(/^\[unplugin-wix-media\] uploaded 5 files \(4\.8 kB\), reused 0, adopted 0 in \d+ ms$/m)

    urls = await expectLockfileFor(root, emulator.url, BUNDLER_APP_MEDIA)
    lockText = await readFile(join(root, LOCKFILE), 'utf8')
    expect(countRoute(emulator, 'upload')).toBe(5)

    expect(await evaluateExports(join(dist, 'index.js'))).toEqual({
      photoUrl: urls['src/assets/photo.png'],
      iconUrl: urls['src/assets/icon.svg'],
      manualUrl: urls['src/assets/manual.pdf'],
      backgroundUrl: urls['src/assets/background.png'],
      lazyUrl: urls['src/assets/lazy.png'],
    })
    const js = await outputText(dist, ['.js'])
    expect(distinctHostedUrls(js, emulator.url)).toEqual(Object.values(urls).sort())
    expect(localMediaMentions(withoutComments(js), emulator.url)).toEqual([])

    // CSS: .banner url(background), .retina image-set(photo 1x, url(lazy) 2x), in that order.
    const css = await readFile(join(dist, 'index.css'), 'utf8')
    expect(hostedUrlsIn(css, emulator.url)).toEqual([
      urls['src/assets/background.png'], urls['src/assets/photo.png'], urls['src/assets/lazy.png'],
    ])
    expect(localMediaMentions(withoutComments(css), emulator.url)).toEqual([])

    expect(await listFiles(dist)).toEqual(['index.css', 'index.js', expect.stringMatching(/^lazy-[\w-]+\.js$/)])
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
    expect((await evaluateExports(join(dist, 'index.js'))).lazyUrl).toBe(urls['src/assets/lazy.png'])
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lockText)
  })
})
