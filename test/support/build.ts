/**
 * Test helpers for real bundler builds: a fixture copied into a fresh temp dir (so that lockfiles,
 * caches and output never land in the repository), the files a build wrote, the hosted URLs in
 * them, and the checks every bundler test shares.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect } from 'vitest'
import { startEmulator, type Emulator } from '../../src/emulator/index.ts'
import { countRoute, LOCKFILE, readLock, writeTree, type Tree } from './project.ts'

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))

/** Extensions of the media files the fixtures hold: none of them may be emitted. */
export const MEDIA_EXTENSIONS = new Set(['.png', '.svg', '.pdf', '.mp4', '.jpg', '.jpeg', '.gif', '.webp'])

/**
 * Copies `fixtures/<name>` (without build output or lockfiles) into a fresh temp dir, adds `extra`,
 * and returns the temp root. Every dir is removed after the test file.
 */
export function useFixtureCopies() {
  const dirs: string[] = []
  afterAll(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return async function copyFixture(name: string, extra: Tree = {}): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), `wix-media-${name}-`))
    dirs.push(root)
    const from = join(FIXTURES, name)
    await cp(from, root, {
      recursive: true,
      filter: (source) => !/(?:^|[\\/])(?:dist|node_modules|wix-media\.lock\.json)$/.test(relative(from, source)),
    })
    await writeTree(root, extra)
    return root
  }
}

/**
 * An emulator (seeded, media ready at once) started before the tests of the enclosing `describe` (or
 * file) and closed after them. The tests use the returned object as the emulator itself.
 */
export function useBuildEmulator(seed: number): Emulator {
  const holder: { emulator?: Emulator } = {}
  beforeAll(async () => {
    holder.emulator = await startEmulator({ seed, processingMs: { VIDEO: 0, AUDIO: 0 } })
  })
  afterAll(async () => {
    await holder.emulator?.close()
  })
  return new Proxy({} as Emulator, { get: (_target, key) => holder.emulator![key as keyof Emulator] })
}

/** Every file under `dir`, relative and `/`-separated, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort()
}

/** File names with a bundler's 8-character content hash (`index-B3zReMP2.js`) written as `#` (`index-#.js`), sorted. */
export function withoutHashes(files: readonly string[]): string[] {
  return files.map((file) => file.replace(/-[\w-]{8}(?=\.\w+$)/, '-#')).sort()
}

/** The text of every output file with one of `extensions` (`.js`, `.css`, `.html`), by relative path. */
export async function readOutputs(dir: string, extensions: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const file of await listFiles(dir)) {
    if (extensions.includes(extname(file))) out[file] = await readFile(join(dir, file), 'utf8')
  }
  return out
}

/** Concatenated text of the outputs with one of `extensions`. */
export async function outputText(dir: string, extensions: readonly string[]): Promise<string> {
  return Object.values(await readOutputs(dir, extensions)).join('\n')
}

const HOSTED_PATH = String.raw`\/(?:media\/[\w.~-]+|shapes\/[\w.~-]+|ugd\/[\w.~-]+|mp3\/[\w.~-]+|video\/[\w.~-]+\/file)`

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Every hosted URL on `origin` in `text` (Wix's static patterns), in order of appearance, duplicates kept. */
export function hostedUrlsIn(text: string, origin: string): string[] {
  return [...text.matchAll(new RegExp(`${escapeRegExp(origin)}${HOSTED_PATH}`, 'g'))].map((match) => match[0])
}

/** The same, deduplicated and sorted. */
export function distinctHostedUrls(text: string, origin: string): string[] {
  return [...new Set(hostedUrlsIn(text, origin))].sort()
}

/**
 * Mentions of local media files (`assets/x.png`, `./x.svg?url`, hashed `x-AbC123.png`) in `text`,
 * once the hosted URLs on `origin` are taken out.
 */
export function localMediaMentions(text: string, origin: string): string[] {
  const rest = text.replace(new RegExp(`${escapeRegExp(origin)}${HOSTED_PATH}`, 'g'), '')
  return [...rest.matchAll(/[\w./-]*\.(?:png|svg|pdf|mp4|jpe?g|gif|webp)\b/g)].map((match) => match[0])
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** `relative path → sha256` of every file under `dir` whose extension is in `extensions` (all files when unset). */
export async function hashesOf(dir: string, extensions?: ReadonlySet<string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const file of await listFiles(dir)) {
    if (!extensions || extensions.has(extname(file).toLowerCase())) out[file] = sha256(await readFile(join(dir, file)))
  }
  return out
}

/**
 * Output files that are (copies of) media: by extension, or by bytes equal to a source media file.
 * An empty list means no uploaded file also sits in the output folder.
 */
export async function mediaInOutput(outDir: string, sourceDir: string): Promise<string[]> {
  const sources = new Set(Object.values(await hashesOf(sourceDir, MEDIA_EXTENSIONS)))
  const found: string[] = []
  for (const [file, hash] of Object.entries(await hashesOf(outDir))) {
    if (MEDIA_EXTENSIONS.has(extname(file).toLowerCase()) || sources.has(hash)) found.push(file)
  }
  return found
}

/** A build's plugin options for the emulator: credentials passed explicitly, fast retries; `root` when given. */
export function emulatorOptions(emulator: Emulator, root?: string) {
  return { ...(root !== undefined && { root }), apiKey: emulator.apiKey, siteId: emulator.siteId, apiBaseUrl: emulator.url, attempts: 2, timeout: 5_000 }
}

/** Options for a build without credentials (the API base URL still names the emulator); `root` when given. */
export function anonymousOptions(emulator: Emulator, root?: string) {
  return { ...(root !== undefined && { root }), apiBaseUrl: emulator.url, attempts: 2, timeout: 5_000 }
}

/**
 * Runs `work` with WIX_API_KEY, WIX_SITE_ID and WIX_API_BASE_URL removed from `process.env`, and
 * puts them back afterwards.
 */
export async function withoutCredentialsInEnv<T>(work: () => Promise<T>): Promise<T> {
  const { WIX_API_KEY, WIX_SITE_ID, WIX_API_BASE_URL } = process.env
  delete process.env.WIX_API_KEY
  delete process.env.WIX_SITE_ID
  delete process.env.WIX_API_BASE_URL
  try {
    return await work()
  } finally {
    if (WIX_API_KEY !== undefined) process.env.WIX_API_KEY = WIX_API_KEY
    if (WIX_SITE_ID !== undefined) process.env.WIX_SITE_ID = WIX_SITE_ID
    if (WIX_API_BASE_URL !== undefined) process.env.WIX_API_BASE_URL = WIX_API_BASE_URL
  }
}

/** Captures what `process.stderr.write` receives while `work` runs (the plugin's console logger). */
export async function captureStderr<T>(work: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const original = process.stderr.write.bind(process.stderr)
  let stderr = ''
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest)
  }) as typeof process.stderr.write
  try {
    return { result: await work(), stderr }
  } finally {
    process.stderr.write = original
  }
}

/** JS without comments (bundlers name each module's source path in a comment). */
export function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^[\t ;]*\/\/.*$/gm, '')
}

const EVALUATE = `
const module = await import(process.argv[1])
const out = {}
for (const [name, value] of Object.entries(module)) out[name] = typeof value === 'function' ? await value() : value
process.stdout.write(JSON.stringify(out))
`

/**
 * Imports a built ES module in a separate Node process and returns its exports, each function export
 * called (and awaited) once: what the bundle really evaluates to, dynamic chunks included.
 */
export async function evaluateExports(file: string): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', EVALUATE, pathToFileURL(file).href], { timeout: 10_000 })
  return JSON.parse(stdout) as Record<string, unknown>
}

/** The media files `fixtures/bundler-app/src/index.js` (and `no-css.js`) reference. */
export const BUNDLER_APP_MEDIA = [
  'src/assets/background.png',
  'src/assets/icon.svg',
  'src/assets/lazy.png',
  'src/assets/manual.pdf',
  'src/assets/photo.png',
] as const

/** Each export of `fixtures/bundler-app/src/index.js` (and `no-css.js`) and the media file it references. */
export const BUNDLER_APP_EXPORTS = {
  photoUrl: 'src/assets/photo.png',
  iconUrl: 'src/assets/icon.svg',
  manualUrl: 'src/assets/manual.pdf',
  backgroundUrl: 'src/assets/background.png',
  lazyUrl: 'src/assets/lazy.png',
} as const satisfies Record<string, (typeof BUNDLER_APP_MEDIA)[number]>

/** What the bundler-app entry's exports evaluate to once its files are hosted at `urls` (by path). */
export function hostedExports(urls: Record<string, string>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(BUNDLER_APP_EXPORTS).map(([name, path]) => [name, urls[path]]))
}

/** The static-URL pattern Wix (and the emulator) uses for a file, by its extension. */
export function hostedUrlPattern(origin: string, path: string): RegExp {
  const o = escapeRegExp(origin)
  const ext = extname(path).toLowerCase()
  if (ext === '.svg') return new RegExp(`^${o}/shapes/[\\w.~-]+$`)
  if (ext === '.pdf') return new RegExp(`^${o}/ugd/[\\w.~-]+\\.pdf$`)
  if (ext === '.mp4') return new RegExp(`^${o}/video/[\\w.~-]+/file$`)
  return new RegExp(`^${o}/media/[\\w.~-]+$`)
}

/**
 * Checks the lockfile in `root`: exactly one entry per file of `paths`, keyed by the file's sha256,
 * recording exactly that path, with a hosted URL of the right kind. Returns `path → url`.
 */
export async function expectLockfileFor(root: string, origin: string, paths: readonly string[]): Promise<Record<string, string>> {
  const lock = await readLock(root)
  const expected: Record<string, string[]> = {}
  for (const path of paths) expected[sha256(await readFile(join(root, path)))] = [path]
  expect(Object.fromEntries(Object.entries(lock.files).map(([hash, entry]) => [hash, entry.paths]))).toEqual(expected)
  const urls: Record<string, string> = {}
  for (const entry of Object.values(lock.files)) {
    const path = entry.paths[0]!
    expect(entry.url, path).toMatch(hostedUrlPattern(origin, path))
    urls[path] = entry.url
  }
  expect(new Set(Object.values(urls)).size).toBe(paths.length)
  return Object.fromEntries(Object.entries(urls).sort(([a], [b]) => (a < b ? -1 : 1)))
}

/** GETs every URL of `urlsByPath`: each must answer 200 with the bytes of its source file. */
export async function expectServedFrom(root: string, urlsByPath: Record<string, string>): Promise<void> {
  const served: Record<string, string> = {}
  const local: Record<string, string> = {}
  await Promise.all(Object.entries(urlsByPath).map(async ([path, url]) => {
    const response = await fetch(url)
    const bytes = Buffer.from(await response.arrayBuffer())
    served[path] = `${response.status} ${sha256(bytes)}`
    local[path] = `200 ${sha256(await readFile(join(root, path)))}`
  }))
  expect(served).toEqual(local)
}

/**
 * What a first build of fixtures/bundler-app into `dist` must show, whatever the bundler does with CSS:
 * each media file uploaded once and in the lockfile; the `entry` module's exports (default import,
 * `?url`, `new URL(…, import.meta.url)`, dynamic import()) evaluate to the hosted URLs; its JS holds
 * every hosted URL and no local media path; no media file in the output; every URL serves its file.
 * Returns the URLs by path, the lockfile's text and the JS.
 */
export async function expectBundlerAppHosted(emulator: Emulator, root: string, dist: string, entry: string) {
  const urls = await expectLockfileFor(root, emulator.url, BUNDLER_APP_MEDIA)
  const lockText = await readFile(join(root, LOCKFILE), 'utf8')
  expect(countRoute(emulator, 'upload')).toBe(BUNDLER_APP_MEDIA.length)
  expect(await evaluateExports(join(dist, entry))).toEqual(hostedExports(urls))
  const js = await outputText(dist, [extname(entry)])
  expect(distinctHostedUrls(js, emulator.url)).toEqual(Object.values(urls).sort())
  expect(localMediaMentions(withoutComments(js), emulator.url)).toEqual([])
  expect(await mediaInOutput(dist, join(root, 'src'))).toEqual([])
  await expectServedFrom(root, urls)
  return { urls, lockText, js }
}

/**
 * The built CSS of bundler-app's `styles.css`: `.banner` url(background), `.retina` image-set(photo 1x,
 * url(lazy) 2x), in that order, all hosted; no local media path left.
 */
export function expectBundlerAppCss(css: string, origin: string, urls: Record<string, string>): void {
  expect(hostedUrlsIn(css, origin)).toEqual([urls['src/assets/background.png'], urls['src/assets/photo.png'], urls['src/assets/lazy.png']])
  expect(localMediaMentions(withoutComments(css), origin)).toEqual([])
}

/**
 * Runs a `build` of `root` whose files are all in the lockfile already, and checks it: no API call,
 * output byte-identical to the first build's `<root>/dist`, the lockfile's text still `lockText`.
 * Returns the build's result and what it wrote to stderr.
 */
export async function expectUnchangedRebuild<T extends { dist: string }>(
  emulator: Emulator, root: string, lockText: string, build: () => Promise<T>,
): Promise<T & { stderr: string }> {
  emulator.clearRequests()
  const { result, stderr } = await captureStderr(build)
  expect(emulator.requests()).toEqual([])
  expect(await hashesOf(result.dist)).toEqual(await hashesOf(join(root, 'dist')))
  expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lockText)
  return { ...result, stderr }
}

/** `build`, run with no credentials in `process.env` (checked): a CI build that has only the lockfile. */
export function offline<T>(build: () => Promise<T>): () => Promise<T> {
  return () => withoutCredentialsInEnv(async () => {
    expect([process.env.WIX_API_KEY, process.env.WIX_SITE_ID]).toEqual([undefined, undefined])
    return build()
  })
}
