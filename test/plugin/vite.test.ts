/**
 * Vite builds `fixtures/vite-app` (index.html with an icon, an image, a video poster and source and a
 * PDF link; CSS background; JS default, `?url`, `new URL(…, import.meta.url)` and dynamic imports)
 * against the emulator; and the behaviours every bundler shares, proven once here: no credentials,
 * `fallback: 'local'`, `frozen`, a failed upload, client + SSR builds in one process, `?raw`/`?inline`.
 */
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { InlineConfig } from 'vite'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts'
import type { WixMediaPluginOptions } from '../../src/plugin/options.ts'
import { failingViteBuild as failingBuild, pluginLines, viteBuild } from '../support/vite-build.ts'
import {
  anonymousOptions, distinctHostedUrls, emulatorOptions, expectLockfileFor, expectServedFrom, expectUnchangedRebuild, FIXTURES,
  hostedUrlsIn, listFiles, localMediaMentions, mediaInOutput, offline, outputText, readOutputs, sha256, useFixtureCopies,
  withoutComments, withoutCredentialsInEnv, withoutHashes,
} from '../support/build.ts'
import { png, svg } from '../support/media.ts'
import { cliEnv, countRoute, LOCKFILE, readLock, syncProject, useFixtures } from '../support/project.ts'

const VITE_APP_MEDIA = [
  'src/assets/brochure.pdf',
  'src/assets/clip.mp4',
  'src/assets/favicon.png',
  'src/assets/gallery-dunes.png',
  'src/assets/gallery-dusk.png',
  'src/assets/gallery-forest.png',
  'src/assets/gallery-reef.png',
  'src/assets/hero.png',
  'src/assets/logo.svg',
  'src/assets/poster.png',
] as const
/** The media index.html references (the rest come through main.js and style.css). */
const HTML_MEDIA = ['src/assets/brochure.pdf', 'src/assets/clip.mp4', 'src/assets/favicon.png', 'src/assets/logo.svg', 'src/assets/poster.png']

const copyFixture = useFixtureCopies()
const emulators: Emulator[] = []
let emulator: Emulator

async function newEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const started = await startEmulator({ seed: 26, processingMs: { VIDEO: 0, AUDIO: 0 }, ...options })
  emulators.push(started)
  return started
}

beforeAll(async () => {
  emulator = await newEmulator()
})
afterAll(async () => {
  await Promise.all(emulators.map((item) => item.close()))
})

/** One `vite build` of `root` (the plugin gets its root from Vite) into `<root>/<outDir>`. */
function build(root: string, options: WixMediaPluginOptions, outDir = 'dist', extra: InlineConfig = {}) {
  return viteBuild(root, options, { ...extra, build: { ...extra.build, outDir } })
}

/** Every media attribute of the fixture's index.html, by what it is. */
function htmlMedia(html: string): Record<string, string | undefined> {
  return {
    icon: /<link rel="icon" type="image\/png" href="([^"]*)"/.exec(html)?.[1],
    logo: /<img class="logo" src="([^"]*)"/.exec(html)?.[1],
    poster: /<video [^>]*poster="([^"]*)"/.exec(html)?.[1],
    source: /<source src="([^"]*)" type="video\/mp4"/.exec(html)?.[1],
    brochure: /<a id="brochure" href="([^"]*)"/.exec(html)?.[1],
  }
}

/** `main.js` of the fixture plus `import './extras.js'`. */
async function mainWithExtras(): Promise<string> {
  return `${await readFile(join(FIXTURES, 'vite-app/src/main.js'), 'utf8')}import './extras.js'\n`
}

describe('Vite: fixtures/vite-app against the emulator', () => {
  let root: string
  let urls: Record<string, string>
  let lockText: string

  test('a first build uploads each media file once and every HTML, CSS and JS reference is its hosted URL', async () => {
    root = await copyFixture('vite-app')
    const { dist, logs } = await build(root, emulatorOptions(emulator))
    expect(pluginLines(logs.warn)).toEqual([])
    expect(pluginLines(logs.info)).toEqual([expect.stringMatching(/^\[unplugin-wix-media\] uploaded 10 files \(43\.8 kB\), reused 0, adopted 0 in \d+ ms$/)])

    urls = await expectLockfileFor(root, emulator.url, VITE_APP_MEDIA)
    lockText = await readFile(join(root, LOCKFILE), 'utf8')
    expect(countRoute(emulator, 'upload')).toBe(10)

    const html = await readFile(join(dist, 'index.html'), 'utf8')
    expect(htmlMedia(html)).toEqual({
      icon: urls['src/assets/favicon.png'],
      logo: urls['src/assets/logo.svg'],
      poster: urls['src/assets/poster.png'],
      source: urls['src/assets/clip.mp4'],
      brochure: urls['src/assets/brochure.pdf'],
    })
    expect(localMediaMentions(html, emulator.url)).toEqual([])

    const css = await outputText(dist, ['.css'])
    expect(hostedUrlsIn(css, emulator.url)).toEqual([urls['src/assets/hero.png']])
    expect(localMediaMentions(css, emulator.url)).toEqual([])

    const js = await outputText(dist, ['.js'])
    expect(distinctHostedUrls(js, emulator.url)).toEqual([
      urls['src/assets/gallery-dunes.png'], urls['src/assets/gallery-dusk.png'],
      urls['src/assets/gallery-forest.png'], urls['src/assets/gallery-reef.png'],
    ].sort())
    expect(localMediaMentions(withoutComments(js), emulator.url)).toEqual([])
    // The dynamic import's chunk exports the hosted URL.
    const chunks = await readOutputs(join(dist, 'assets'), ['.js'])
    const dusk = Object.entries(chunks).find(([name]) => name.startsWith('gallery-dusk-'))
    expect(dusk?.[1]).toContain(JSON.stringify(urls['src/assets/gallery-dusk.png']).slice(1, -1))

    expect(distinctHostedUrls(`${html}${css}${js}`, emulator.url)).toEqual(Object.values(urls).sort())
    expect(withoutHashes(await listFiles(dist))).toEqual(['assets/gallery-dusk-#.js', 'assets/index-#.css', 'assets/index-#.js', 'index.html'])
    expect(await mediaInOutput(dist, join(root, 'src'))).toEqual([])

    await expectServedFrom(root, urls)
  })

  test('a second build makes no API call and writes the same output', async () => {
    const { logs } = await expectUnchangedRebuild(emulator, root, lockText, () => build(root, emulatorOptions(emulator), 'dist-again'))
    expect(pluginLines(logs.info)).toEqual([expect.stringMatching(/^\[unplugin-wix-media\] uploaded 0 files \(0\.0 kB\), reused 10, adopted 0 in \d+ ms$/)])
  })

  test('a build with the lockfile and no credentials succeeds offline with the same URLs', async () => {
    const { dist } = await expectUnchangedRebuild(emulator, root, lockText, offline(() => build(root, anonymousOptions(emulator), 'dist-ci')))
    expect(htmlMedia(await readFile(join(dist, 'index.html'), 'utf8')).source).toBe(urls['src/assets/clip.mp4'])
  })

  test('a media file outside root stays with Vite, with one warning that names it and says how to host it', async () => {
    const copy = await copyFixture('vite-app', {
      'src/extras.js': "import shared from '../../shared-logo.png'\nexport const extras = [shared]\ndocument.body.dataset.extras = String(extras)\n",
      'src/main.js': await mainWithExtras(),
    })
    const outside = join(copy, '..', 'shared-logo.png')
    await writeFile(outside, png(40, 40, 4343))
    try {
      const { logs } = await build(copy, emulatorOptions(emulator))
      expect(pluginLines(logs.warn)).toEqual([
        `[unplugin-wix-media] ${outside} is outside root (${copy}): kept local. Set \`root\` to a folder that contains it to host it`,
      ])
      expect(emulator.files().map((file) => file.displayName)).not.toContain('shared-logo.png')
    } finally {
      await rm(outside, { force: true })
    }
  })

  test('`?raw` and `?inline` imports stay with Vite: inlined, never uploaded', async () => {
    const badge = svg(3, 3).toString('utf8').replace('<svg ', '<svg id="raw-only-badge" ')
    const dot = png(2, 2, 4242)
    const copy = await copyFixture('vite-app', {
      'src/assets/raw-only.svg': badge,
      'src/assets/inline-only.png': dot,
      'src/extras.js': "import badge from './assets/raw-only.svg?raw'\nimport dot from './assets/inline-only.png?inline'\nexport const extras = [badge, dot]\ndocument.body.dataset.extras = String(extras)\n",
      'src/main.js': await mainWithExtras(),
    })
    const before = emulator.files().length
    emulator.clearRequests()
    const { dist, logs } = await build(copy, emulatorOptions(emulator))
    // The fixture's files are already on the site (first test): adopted by their hash label, not uploaded again.
    expect(pluginLines(logs.info)).toEqual([expect.stringMatching(/^\[unplugin-wix-media\] uploaded 0 files \(0\.0 kB\), reused 0, adopted 10 in \d+ ms$/)])
    expect(countRoute(emulator, 'generateUploadUrl') + countRoute(emulator, 'upload')).toBe(0)
    expect(emulator.files().length).toBe(before)
    expect(emulator.files().map((file) => file.displayName)).not.toContain('raw-only.svg')
    expect(emulator.files().map((file) => file.displayName)).not.toContain('inline-only.png')
    expect(await expectLockfileFor(copy, emulator.url, VITE_APP_MEDIA)).toEqual(urls)

    const js = await outputText(dist, ['.js'])
    expect(js).toContain('id="raw-only-badge"')
    expect(js).toContain(`data:image/png;base64,${dot.toString('base64')}`)
    expect(await mediaInOutput(dist, join(copy, 'src'))).toEqual([])
  })
  test('a `#fragment` survives the rewrite: CSS url(x.svg#id), HTML <use href="x.svg#id">', async () => {
    const html = await readFile(join(FIXTURES, 'vite-app/index.html'), 'utf8')
    const copy = await copyFixture('vite-app', {
      'index.html': html.replace('</main>', '<svg width="8" height="8"><use href="./src/assets/logo.svg#mark"></use></svg></main>'),
      'src/extras.css': ".mark {\n  mask-image: url('./assets/logo.svg#mark');\n}\n",
      'src/extras.js': "import './extras.css'\n",
      'src/main.js': await mainWithExtras(),
    })
    const { dist } = await build(copy, emulatorOptions(emulator))
    const logo = (await expectLockfileFor(copy, emulator.url, VITE_APP_MEDIA))['src/assets/logo.svg']!
    expect(await readFile(join(dist, 'index.html'), 'utf8')).toContain(`<use href="${logo}#mark"></use>`)
    expect(await outputText(dist, ['.css'])).toContain(`mask-image:url(${logo}#mark)`)
  })
})

describe('Vite: what a build does when it cannot host a file', () => {
  test('new files and no credentials: the build fails naming every file and WIX_API_KEY / WIX_SITE_ID, with no request', async () => {
    const root = await copyFixture('vite-app')
    emulator.clearRequests()
    const { error } = await withoutCredentialsInEnv(() => failingBuild(root, anonymousOptions(emulator)))
    expect(error.message).toContain(`[unplugin-wix-media] 10 media file(s) are missing from ${LOCKFILE}, and there are no credentials to upload them:\n  ${VITE_APP_MEDIA.join('\n  ')}\n`)
    expect(error.message).toContain("Set WIX_API_KEY and WIX_SITE_ID (or the apiKey and siteId options), or use `fallback: 'local'` to keep new files local")
    expect(error.message).not.toContain('\n. ') // the hint follows the list on a line of its own
    expect(emulator.requests()).toEqual([])
    expect(await listFiles(root)).not.toContain(LOCKFILE)
    expect(await listFiles(root)).not.toContain('dist/index.html')
  })

  test("`fallback: 'local'` keeps new files local with a warning, and the build succeeds", async () => {
    const root = await copyFixture('vite-app')
    emulator.clearRequests()
    const { dist, logs } = await withoutCredentialsInEnv(() => build(root, { ...anonymousOptions(emulator), fallback: 'local' }))
    expect(emulator.requests()).toEqual([])
    expect(pluginLines(logs.warn).sort()).toEqual(VITE_APP_MEDIA.map((path) => `[unplugin-wix-media] ${path}: kept local (no credentials to upload it)`))
    expect(pluginLines(logs.info)).toEqual([
      expect.stringMatching(/^\[unplugin-wix-media\] uploaded 0 files \(0\.0 kB\), reused 0, adopted 0, kept 10 local in \d+ ms$/),
    ])
    const text = await outputText(dist, ['.html', '.css', '.js'])
    expect(hostedUrlsIn(text, emulator.url)).toEqual([])
    // Vite handled them as usual: the large ones are emitted, hashed; the small ones inlined.
    const html = await readFile(join(dist, 'index.html'), 'utf8')
    expect(htmlMedia(html).source).toMatch(/^\/assets\/clip-[\w-]+\.mp4$/)
    expect(await listFiles(dist)).toContain(htmlMedia(html).source!.slice(1))
    expect(await listFiles(root)).not.toContain(LOCKFILE)
  })

  test('`frozen: true`: media missing from the lockfile fail the build, every one listed, nothing uploaded', async () => {
    const root = await copyFixture('vite-app', {
      'src/assets/new-photo.png': png(6, 6, 901),
      'src/assets/new-icon.svg': svg(7, 7),
      'src/extras.js': "import photo from './assets/new-photo.png'\nimport icon from './assets/new-icon.svg'\nexport const extras = [photo, icon]\n",
    })
    await build(root, emulatorOptions(emulator))
    const lockfile = await readFile(join(root, LOCKFILE), 'utf8')
    expect(Object.keys((await readLock(root)).files)).toHaveLength(10)
    // Now main.js imports two files the lockfile does not know.
    await writeFile(join(root, 'src/main.js'), await mainWithExtras())
    emulator.clearRequests()
    const { error } = await failingBuild(root, { ...emulatorOptions(emulator), frozen: true })
    expect(error.message).toContain(`[unplugin-wix-media] 2 media file(s) are missing from ${LOCKFILE}, and \`frozen\` forbids uploads:\n  src/assets/new-icon.svg\n  src/assets/new-photo.png\n`)
    expect(error.message).toContain(`Run \`wix-media sync\` (or a build) with WIX_API_KEY and WIX_SITE_ID set, and commit ${LOCKFILE}`)
    expect(countRoute(emulator, 'generateUploadUrl') + countRoute(emulator, 'upload')).toBe(0)
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lockfile)

    // `fallback: 'local'` keeps files local when there are no credentials, but does not soften `frozen`.
    const withFallback = await failingBuild(root, { ...emulatorOptions(emulator), frozen: true, fallback: 'local' })
    expect(withFallback.error.message).toContain('2 media file(s) are missing')
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lockfile)
  })

  test('a failed upload fails the build naming the file; the files that did upload are in the lockfile', async () => {
    // The video alone is larger than the site's storage, so it is refused (SITE_QUOTA_EXCEEDED, not
    // retried); the other four files of index.html fit (355 + 254 + 3614 + 441 bytes).
    const site = await newEmulator({ quotaBytes: 5_000 })
    const root = await copyFixture('vite-app')
    const { error } = await failingBuild(root, emulatorOptions(site))
    expect(error.message).toContain('[unplugin-wix-media] src/assets/clip.mp4: ')
    expect(error.message).toContain('SITE_QUOTA_EXCEEDED')
    expect(error.message).not.toContain(site.apiKey)

    const stored = site.files()
    expect(stored.map((file) => `${file.displayName} ${file.operationStatus}`).sort())
      .toEqual(['brochure.pdf READY', 'favicon.png READY', 'logo.svg READY', 'poster.png READY'])
    const lock = await readLock(root)
    expect(Object.values(lock.files).flatMap((entry) => entry.paths).sort()).toEqual(HTML_MEDIA.filter((path) => !path.endsWith('.mp4')))
    expect(Object.values(lock.files).map((entry) => entry.id).sort()).toEqual(stored.map((file) => file.id).sort())
    for (const [hash, entry] of Object.entries(lock.files)) {
      expect(hash).toBe(sha256(await readFile(join(root, entry.paths[0]!))))
    }
  })
})

describe('Vite: after a prebuild `wix-media sync`', () => {
  test('a frozen build uploads nothing, media imported from a dot folder (a VitePress theme) included', async () => {
    const root = await copyFixture('vite-app', {
      '.vitepress/theme/badge.png': png(5, 5, 902),
      'src/extras.js': "import badge from '../.vitepress/theme/badge.png'\ndocument.body.dataset.badge = badge\n",
      'src/main.js': await mainWithExtras(),
    })
    const { report, paths } = await syncProject(emulator, root)
    expect(paths).toEqual([...VITE_APP_MEDIA, '.vitepress/theme/badge.png'].sort())
    expect(report.errors).toEqual([])
    emulator.clearRequests()
    const { dist } = await build(root, { ...emulatorOptions(emulator), frozen: true })
    expect(countRoute(emulator, 'generateUploadUrl') + countRoute(emulator, 'upload')).toBe(0)
    const badge = Object.values((await readLock(root)).files).find((entry) => entry.paths.includes('.vitepress/theme/badge.png'))!
    expect(await outputText(dist, ['.js'])).toContain(badge.url)
  })
})

describe("Vite: the project's wix-media.config", () => {
  const cli = useFixtures()

  test('the build reads it as `wix-media` does: after `wix-media sync`, a frozen build uploads nothing, and uses its lockfile', async () => {
    const root = await copyFixture('vite-app', { 'wix-media.config.ts': "export default { lockfile: 'media/wix.lock.json', folder: '/from-config' }\n" })
    const sync = await cli.runCli(['sync'], root, cliEnv(emulator))
    expect(sync.code, sync.stderr).toBe(0)
    const synced = await readFile(join(root, 'media/wix.lock.json'), 'utf8')
    emulator.clearRequests()
    const { dist } = await build(root, { ...emulatorOptions(emulator), frozen: true })
    expect(countRoute(emulator, 'generateUploadUrl') + countRoute(emulator, 'upload')).toBe(0)
    expect(await readFile(join(root, 'media/wix.lock.json'), 'utf8')).toBe(synced)
    expect(await listFiles(root)).not.toContain(LOCKFILE)
    const urls = Object.values((await readLock(root, 'media/wix.lock.json')).files).map((entry) => entry.url)
    expect(distinctHostedUrls(await outputText(dist, ['.html', '.css', '.js']), emulator.url).sort()).toEqual(urls.sort())
  })

  test("the plugin's own options win over it; `configFile: false` reads none; a misspelled name in it fails the build, naming the file", async () => {
    const root = await copyFixture('vite-app', { 'wix-media.config.json': JSON.stringify({ lockfile: 'from-file.lock.json' }) })
    await build(root, { ...emulatorOptions(emulator), lockfile: 'inline.lock.json' })
    await build(root, { ...emulatorOptions(emulator), configFile: false }, 'dist-no-config')
    expect((await listFiles(root)).filter((file) => file.endsWith('.lock.json')).sort()).toEqual(['inline.lock.json', LOCKFILE])
    await build(root, emulatorOptions(emulator), 'dist-config')
    expect(await listFiles(root)).toContain('from-file.lock.json')

    await writeFile(join(root, 'wix-media.config.json'), JSON.stringify({ lockfle: 'x.lock.json' }))
    const { error } = await failingBuild(root, emulatorOptions(emulator))
    expect(error.message).toContain('wix-media.config.json: `lockfle` is not an option (did you mean `lockfile`?)')
  })
})

describe('Vite: prewarm', () => {
  test('uploads the include files when the build starts, imported or not; without credentials, an unimported new file does not fail the build', async () => {
    const root = await copyFixture('vite-app')
    await writeFile(join(root, 'src/assets/unused.png'), png(5, 5, 77))
    const fresh = await newEmulator()
    await build(root, { ...emulatorOptions(fresh), prewarm: true })
    const lock = await readLock(root)
    expect(Object.values(lock.files).flatMap((entry) => entry.paths).sort()).toEqual([...VITE_APP_MEDIA, 'src/assets/unused.png'].sort())
    expect(countRoute(fresh, 'upload')).toBe(VITE_APP_MEDIA.length + 1)

    // A checkout where only unused.png is new, and no credentials: the imports are all locked, so the build passes.
    await writeFile(join(root, 'src/assets/unused.png'), png(6, 6, 78))
    fresh.clearRequests()
    const { logs } = await withoutCredentialsInEnv(() => build(root, { ...anonymousOptions(fresh), prewarm: true }))
    expect(fresh.requests()).toEqual([])
    expect(pluginLines(logs.warn)).toEqual([])
  })
})

describe('Vite: builds one after another in one process', () => {
  test('each build reads the lockfile from disk: deleted between builds, it is written again', async () => {
    const root = await copyFixture('vite-app')
    await build(root, emulatorOptions(emulator))
    const first = await readFile(join(root, LOCKFILE), 'utf8')
    await rm(join(root, LOCKFILE))
    await build(root, emulatorOptions(emulator))
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(first)
  })

  test('settings are not shared across plugin instances: a frozen build after a normal one still refuses new files', async () => {
    const root = await copyFixture('vite-app')
    await build(root, emulatorOptions(emulator))
    await writeFile(join(root, 'src/assets/gallery-dunes.png'), png(7, 7, 91))
    const { error } = await failingBuild(root, { ...emulatorOptions(emulator), frozen: true })
    expect(error.message).toContain('[unplugin-wix-media] src/assets/gallery-dunes.png: is not in the lockfile, and `frozen` forbids uploads')
  })
})

describe('Vite: client and SSR builds in one process', () => {
  test('run together, they upload each file once and agree on every URL', async () => {
    const site = await newEmulator()
    const root = await copyFixture('vite-app')
    const [client, ssr] = await Promise.all([
      build(root, emulatorOptions(site), 'dist/client'),
      build(root, emulatorOptions(site), 'dist/server', { build: { ssr: 'src/main.js' } }),
    ])
    expect(countRoute(site, 'generateUploadUrl')).toBe(10)
    expect(countRoute(site, 'upload')).toBe(10)
    expect(site.files().map((file) => file.displayName).sort()).toEqual(VITE_APP_MEDIA.map((path) => path.slice('src/assets/'.length)))
    const urls = await expectLockfileFor(root, site.url, VITE_APP_MEDIA)

    expect(distinctHostedUrls(await outputText(client.dist, ['.html', '.css', '.js']), site.url)).toEqual(Object.values(urls).sort())
    // The server bundle of main.js: its four gallery images (style.css is not emitted for SSR).
    const server = await outputText(ssr.dist, ['.js', '.mjs', '.css'])
    expect(distinctHostedUrls(server, site.url)).toEqual([
      urls['src/assets/gallery-dunes.png'], urls['src/assets/gallery-dusk.png'],
      urls['src/assets/gallery-forest.png'], urls['src/assets/gallery-reef.png'],
    ].sort())
    expect(localMediaMentions(withoutComments(server), site.url)).toEqual([])
    expect(await mediaInOutput(join(root, 'dist'), join(root, 'src'))).toEqual([])
  })
})
