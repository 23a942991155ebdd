/**
 * esbuild bundles `fixtures/bundler-app/src/index.js` (JS, CSS and a dynamic import, so `splitting`)
 * against the emulator. esbuild has no loader for media files by default: every one of them must come
 * from the plugin.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build as esbuild } from 'esbuild'
import { describe, expect, test } from 'vitest'
import wixMedia from '../../src/esbuild.ts'
import type { WixMediaPluginOptions } from '../../src/plugin/options.ts'
import {
  anonymousOptions, captureStderr, emulatorOptions, evaluateExports, expectBundlerAppCss, expectBundlerAppHosted, expectUnchangedRebuild,
  listFiles, offline, useBuildEmulator, useFixtureCopies,
} from '../support/build.ts'

const copyFixture = useFixtureCopies()
const emulator = useBuildEmulator(23)

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

    const hosted = await expectBundlerAppHosted(emulator, root, dist, 'index.js')
    urls = hosted.urls
    lockText = hosted.lockText
    expectBundlerAppCss(await readFile(join(dist, 'index.css'), 'utf8'), emulator.url, urls)
    expect(await listFiles(dist)).toEqual(['index.css', 'index.js', expect.stringMatching(/^lazy-[\w-]+\.js$/)])
  })

  test('a second build makes no API call and writes the same output', async () => {
    const { stderr } = await expectUnchangedRebuild(emulator, root, lockText, () => build(root, emulatorOptions(emulator, root), 'dist-again'))
    expect(stderr).toMatch(/^\[unplugin-wix-media\] uploaded 0 files \(0\.0 kB\), reused 5, adopted 0 in \d+ ms$/m)
  })

  test('a build with the lockfile and no credentials succeeds offline with the same URLs', async () => {
    const { dist } = await expectUnchangedRebuild(emulator, root, lockText, offline(() => build(root, anonymousOptions(emulator, root), 'dist-ci')))
    expect((await evaluateExports(join(dist, 'index.js'))).lazyUrl).toBe(urls['src/assets/lazy.png'])
  })
  test('Wix\'s rate limit and a failed upload on the way: the build succeeds, and its summary says what held it back', async () => {
    const project = await copyFixture('bundler-app')
    emulator.faults.add({ route: 'generateUploadUrl', sequence: [429, 429] })
    emulator.faults.add({ route: 'upload', sequence: [503] })
    // A folder of its own, so that the files the first test uploaded are not adopted: five uploads.
    const options = { ...emulatorOptions(emulator, project), folder: '/held-back' }
    const { result: { errors }, stderr } = await captureStderr(() => build(project, options, 'dist'))
    expect(errors).toEqual([])
    expect(stderr).toMatch(/^\[unplugin-wix-media\] uploaded 5 files \(4\.8 kB\), reused 0, adopted 0 in \d+ ms \(1 retry\); Wix's rate limit slowed API calls down to \d+ a minute$/m)
  })
})
