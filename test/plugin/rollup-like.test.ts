/**
 * Rollup and Rolldown build `fixtures/bundler-app/src/no-css.js` against the emulator. Rollup bundles no
 * CSS on its own, and Rolldown 1.x refuses to ("Bundling CSS is no longer supported", rolldown#4271):
 * `src/index.js` imports `styles.css`, so the CSS half of the fixture is Vite's, esbuild's, webpack's
 * and Rspack's to prove.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { rolldown } from 'rolldown'
import { rollup, type LogLevel, type RollupLog } from 'rollup'
import { describe, expect, test } from 'vitest'
import type { WixMediaPluginOptions } from '../../src/plugin/options.ts'
import rolldownPlugin from '../../src/rolldown.ts'
import rollupPlugin from '../../src/rollup.ts'
import {
  anonymousOptions, captureStderr, emulatorOptions, evaluateExports, expectBundlerAppHosted, expectServedFrom, expectUnchangedRebuild,
  listFiles, offline, sha256, useBuildEmulator, useFixtureCopies,
} from '../support/build.ts'
import { countRoute, readLock } from '../support/project.ts'

const copyFixture = useFixtureCopies()

/** What Rollup's and Rolldown's bundles need here: `bundle.write()` and `bundle.close()`. */
interface Bundle {
  write(options: { dir: string; format: 'es' }): Promise<unknown>
  close(): Promise<void>
}

/** What a build reported: warnings, and the info lines its logger received. */
interface Logs {
  warnings: unknown[]
  infos: string[]
}

/** A build bound to one plugin instance: each call bundles `input` into `dir` as ES modules and returns its logs. */
type Build = (input: string, dir: string) => Promise<Logs>

/**
 * `withPlugin` of a bundler whose `open(inputOptions)` (`rollup()`, `rolldown()`) takes plugins made by
 * `plugin(options)`: makes one plugin instance and returns a `Build` with it (called again, like watch mode).
 */
function buildsWith<P, W>(
  plugin: (options: WixMediaPluginOptions) => P,
  open: (options: {
    input: string
    plugins: P[]
    onwarn: (warning: W) => void
    onLog: (level: LogLevel, log: RollupLog, handler: (level: LogLevel | 'error', log: RollupLog) => void) => void
  }) => Promise<Bundle>,
) {
  return (options: WixMediaPluginOptions): Build => {
    const instance = plugin(options)
    return async (input, dir) => {
      const warnings: W[] = []
      const infos: string[] = []
      const bundle = await open({
        input,
        plugins: [instance],
        onwarn: (warning) => warnings.push(warning),
        onLog: (level, log, handler) => (level === 'info' ? infos.push(log.message) : handler(level, log)),
      })
      try {
        await bundle.write({ dir, format: 'es' })
      } finally {
        await bundle.close()
      }
      return { warnings, infos }
    }
  }
}

/**
 * Where the plugin's summary line lands: Rollup's logger (onLog, with its `[plugin …]` prefix);
 * Rolldown does not surface a plugin's info logs, so there it is printed to stderr.
 */
const BUNDLERS = [
  { name: 'Rollup', seed: 21, withPlugin: buildsWith(rollupPlugin, rollup), watch: true,
    summary: (logs: Logs, _stderr: string) => logs.infos.join('\n'), prefix: '\\[plugin unplugin-wix-media\\]' },
  { name: 'Rolldown', seed: 22, withPlugin: buildsWith(rolldownPlugin, rolldown), watch: false,
    summary: (_logs: Logs, stderr: string) => stderr, prefix: '\\[unplugin-wix-media\\]' },
]

describe.each(BUNDLERS)('$name: fixtures/bundler-app/src/no-css.js against the emulator', ({ seed, withPlugin, watch, summary, prefix }) => {
  const summaryLine = (rest: string) => new RegExp(`^${prefix} ${rest} in \\d+ ms$`, 'm')
  const emulator = useBuildEmulator(seed)
  let root: string
  let urls: Record<string, string>
  let lockText: string

  /**
   * One build of `src/no-css.js` into `<root>/<outDir>`: with a new plugin instance made from `options`,
   * or with a `Build` of `withPlugin` (the same instance again, as in watch mode). Returns the warnings too.
   */
  async function build(root: string, options: WixMediaPluginOptions | Build, outDir: string) {
    const dist = join(root, outDir)
    const logs = await (typeof options === 'function' ? options : withPlugin(options))(join(root, 'src/no-css.js'), dist)
    return { dist, warnings: logs.warnings, logs }
  }

  test('a first build uploads each media file once and every reference in the output is its hosted URL', async () => {
    root = await copyFixture('bundler-app')
    const { result: { dist, warnings, logs }, stderr } = await captureStderr(() => build(root, emulatorOptions(emulator, root), 'dist'))
    expect(warnings).toEqual([])
    expect(summary(logs, stderr)).toMatch(summaryLine('uploaded 5 files \\(4\\.8 kB\\), reused 0, adopted 0'))

    const hosted = await expectBundlerAppHosted(emulator, root, dist, 'no-css.js')
    urls = hosted.urls
    lockText = hosted.lockText
    expect(emulator.files().map((file) => file.displayName).sort()).toEqual(['background.png', 'icon.svg', 'lazy.png', 'manual.pdf', 'photo.png'])
    // Only JS in the output: no uploaded file was also emitted (by name or by bytes).
    expect(await listFiles(dist)).toEqual([expect.stringMatching(/^lazy-[\w-]+\.js$/), 'no-css.js'])
  })

  test('a second build makes no API call and writes the same output', async () => {
    const { logs, stderr } = await expectUnchangedRebuild(emulator, root, lockText, () => build(root, emulatorOptions(emulator, root), 'dist-again'))
    expect(summary(logs, stderr)).toMatch(summaryLine('uploaded 0 files \\(0\\.0 kB\\), reused 5, adopted 0'))
  })

  test('a build with the lockfile and no credentials succeeds offline with the same URLs', async () => {
    const { dist } = await expectUnchangedRebuild(emulator, root, lockText, offline(() => build(root, anonymousOptions(emulator, root), 'dist-ci')))
    expect((await evaluateExports(join(dist, 'no-css.js'))).photoUrl).toBe(urls['src/assets/photo.png'])
  })

  // Watch mode is Rollup's test alone.
  if (watch) {
    test('one plugin instance building again (watch mode) hosts a file that changed in between', async () => {
      const watching = withPlugin(emulatorOptions(emulator, root))
      emulator.clearRequests()
      await build(root, watching, 'dist-watch')
      expect(emulator.requests()).toEqual([])
      const changed = Buffer.concat([await readFile(join(root, 'src/assets/photo.png')), Buffer.from('edited')])
      await writeFile(join(root, 'src/assets/photo.png'), changed)
      const { result: { dist, logs }, stderr } = await captureStderr(() => build(root, watching, 'dist-watch'))
      expect(summary(logs, stderr)).toMatch(summaryLine('uploaded 1 file \\(2\\.0 kB\\), reused 4, adopted 0'))
      expect(countRoute(emulator, 'upload')).toBe(1)
      const entry = (await readLock(root)).files[sha256(changed)]
      expect(entry?.paths).toEqual(['src/assets/photo.png'])
      expect(entry?.url).not.toBe(urls['src/assets/photo.png'])
      const exports = await evaluateExports(join(dist, 'no-css.js'))
      expect(exports.photoUrl).toBe(entry?.url)
      expect(exports.iconUrl).toBe(urls['src/assets/icon.svg'])
      await expectServedFrom(root, { 'src/assets/photo.png': entry!.url })
    })
  }
})
