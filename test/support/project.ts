/**
 * Test helpers for whole-project runs: fixture trees in fresh temp dirs, an emulator per test, the
 * engine wired to it in-process, the `wix-media` CLI as a real child process, and readers for the
 * lockfile and the emulator's request log.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'
import { spawnCollecting } from './process.ts'
import { createEngine, type Engine, type EngineSetup } from '../../src/core/engine.ts'
import { parseLockfile, type LockfileData } from '../../src/core/lockfile.ts'
import { resolveOptions, type ResolvedOptions, type WixMediaOptions } from '../../src/core/options.ts'
import { scanFiles } from '../../src/core/scan.ts'
import { RACY_MS } from '../../src/core/file-stamp.ts'
import { syncFiles, type SyncReport } from '../../src/core/sync.ts'
import { startEmulator, type Emulator, type EmulatorOptions, type RequestLogEntry, type RouteName } from '../../src/emulator/index.ts'

export const CLI = fileURLToPath(new URL('../../src/cli/index.ts', import.meta.url))
export const LOCKFILE = 'wix-media.lock.json'
export const STAT_CACHE = 'node_modules/.cache/unplugin-wix-media/stat-cache.json'
export const LAST_SYNC = 'node_modules/.cache/unplugin-wix-media/last-sync.json'

export type Tree = Record<string, Buffer | string>

/** Writes `files` (project-relative paths) under `root`, creating folders. */
export async function writeTree(root: string, files: Tree): Promise<void> {
  await Promise.all(Object.entries(files).map(async ([path, bytes]) => {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), bytes)
  }))
}

/**
 * Per-test resources that are always released: temp projects, emulators and child processes.
 * Call once at the top of a test file.
 */
export function useFixtures() {
  const dirs: string[] = []
  const emulators: Emulator[] = []
  const children = new Set<ChildProcessWithoutNullStreams>()
  afterEach(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    children.clear()
    await Promise.all(emulators.splice(0).map((emulator) => emulator.close()))
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return {
    /** A fresh temp dir holding `files`. */
    async project(files: Tree = {}): Promise<string> {
      const root = await mkdtemp(join(tmpdir(), 'wix-media-project-'))
      dirs.push(root)
      await writeTree(root, files)
      return root
    },
    /** An emulator for this test (seeded, instant processing unless told otherwise). */
    async emulator(options: EmulatorOptions = {}): Promise<Emulator> {
      const emulator = await startEmulator({ seed: 7, processingMs: { VIDEO: 0, AUDIO: 0 }, ...options })
      emulators.push(emulator)
      return emulator
    },
    /** Starts `wix-media <args>` in `cwd`; resolves when it exits. */
    spawnCli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): CliProcess {
      const cli = startCli(args, cwd, env)
      children.add(cli.child)
      return cli
    },
    /** Runs `wix-media <args>` in `cwd` to its end. */
    runCli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<CliResult> {
      const cli = startCli(args, cwd, env)
      children.add(cli.child)
      return cli.done
    },
  }
}

/** Engine options pointing at the emulator; fast, bounded retries unless overridden. */
export function optionsFor(emulator: Emulator, root: string, extra: WixMediaOptions = {}): ResolvedOptions {
  return resolveOptions({
    root,
    apiKey: emulator.apiKey,
    siteId: emulator.siteId,
    apiBaseUrl: emulator.url,
    attempts: 4,
    timeout: 5_000,
    ...extra,
  }, {})
}

export interface SyncRun {
  report: SyncReport
  engine: Engine
  paths: string[]
}

/** One in-process `sync` of the whole project (or of `paths`). */
export async function syncProject(
  emulator: Emulator,
  root: string,
  extra: WixMediaOptions = {},
  setup: EngineSetup & { paths?: string[] } = {},
): Promise<SyncRun> {
  const options = optionsFor(emulator, root, extra)
  const engine = await createEngine(options, setup)
  const paths = setup.paths ?? await scanFiles(options)
  const report = await syncFiles(engine, paths)
  return { report, engine, paths }
}

export async function readLock(root: string, name = LOCKFILE): Promise<LockfileData> {
  const file = join(root, name)
  return parseLockfile(await readFile(file, 'utf8'), file)
}

/** `path → hash` for every path the lockfile records. */
export function pathsInLock(data: LockfileData): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [hash, entry] of Object.entries(data.files)) for (const path of entry.paths) out[path] = hash
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)))
}

/** How many requests each route got. */
export function routeCounts(entries: readonly RequestLogEntry[]): Partial<Record<RouteName, number>> {
  const out: Partial<Record<RouteName, number>> = {}
  for (const entry of entries) out[entry.route] = (out[entry.route] ?? 0) + 1
  return out
}

export function countRoute(emulator: Emulator, route: RouteName): number {
  return emulator.requests().filter((entry) => entry.route === route).length
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Waits until files written before are old enough for their stats to be trusted (`isRacy` in
 * src/core/stat-cache.ts): only then are they cached, and a sync of them recorded.
 */
export function settle(): Promise<void> {
  return sleep(RACY_MS + 15)
}

/** Polls `condition` every 10 ms, up to `ms`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await condition()) return
    await sleep(10)
  }
  throw new Error(`timed out waiting for ${what}`)
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliProcess {
  child: ChildProcessWithoutNullStreams
  done: Promise<CliResult>
}

/** The environment a CLI run gets: credentials for the emulator, nothing inherited that could change its behaviour. */
export function cliEnv(emulator: Emulator): Record<string, string> {
  return { WIX_API_KEY: emulator.apiKey, WIX_SITE_ID: emulator.siteId, WIX_API_BASE_URL: emulator.url }
}

function startCli(args: string[], cwd: string, env: Record<string, string | undefined>): CliProcess {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WIX_') && key !== 'CI'))
  // process.execPath is the Node running vitest (≥ 23.6), which runs the TypeScript source as is.
  const { child, closed } = spawnCollecting(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...env } })
  return { child, done: closed }
}

/**
 * The most requests to `route` the emulator was answering at once, from its log (arrival +
 * duration, both in whole ms: a request that starts within 2 ms of another's end is not counted as
 * overlapping it).
 */
export function maxOverlap(emulator: Emulator, route: RouteName): number {
  const spans = emulator.requests().filter((entry) => entry.route === route)
    .map((entry) => ({ start: Date.parse(entry.time), end: Date.parse(entry.time) + entry.durationMs }))
  return Math.max(0, ...spans.map((a) => spans.filter((b) => b.start <= a.start && a.start < b.end - 2).length))
}
