/**
 * No-change sync: what `wix-media sync` costs on a project where nothing changed, the run every
 * build makes. A tree of BENCH_FILES (default 10,000) small distinct PNGs, a complete lockfile, a
 * warm stat cache and the last sync's record, all made by real syncs against an in-process
 * emulator; then the timed run is exactly the CLI's: `syncProject` (a stat of every folder the last
 * walk read and of every file, against the last sync's record; it must find them unchanged and not
 * walk), run from the project's folder as `npx wix-media sync` is. It must not touch the network:
 * the emulator's request log is printed to show zero requests.
 *
 * Baseline: the bare fast-glob walk of the same tree, same include pattern and walk options as
 *           scanFiles (a sync has to list the files at least once).
 * Target:   no-change sync ≤ 2× the walk.
 * Also, for information: the walk plus a stat of every file it found (the least a sync that walks
 *           must do: it can only tell an unchanged file by its stat);
 *           and the same sync without the last sync's record (the lockfile and the stat cache are
 *           loaded and every file looked up: what the first sync after a change costs).
 *
 * Also, for information, what a user waits for: the built CLI (`node dist/cli/index.js sync`) as a
 *           process, against a Node process that does the bare walk (both pay Node's start-up).
 *           Skipped when the package is not built (`npm run bench:no-change-sync` builds it).
 *
 * Run: node bench/no-change-sync.ts   (env: BENCH_FILES=10000, BENCH_REPS=15)
 */
import { existsSync, statSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import fg from 'fast-glob'
import { resolveOptions, type ResolvedOptions } from '../src/core/options.ts'
import { syncProject } from '../src/core/project.ts'
import { walkOptions } from '../src/core/scan.ts'
import { startEmulator } from '../src/emulator/index.ts'
import { png } from '../test/support/media.ts'
import { spawnCollecting } from '../test/support/process.ts'
import { banner, envInt, formatMs, formatRatio, interleaved, median, result, timed, withTempDir } from './support.ts'

const FILES = envInt('BENCH_FILES', 10_000)
const REPS = envInt('BENCH_REPS', 15)
const PER_DIR = 100
const REPO = resolve(dirname(import.meta.filename), '..')
const BUILT_CLI = join(REPO, 'dist/cli/index.js')

async function makeTree(root: string): Promise<void> {
  for (let dir = 0; dir * PER_DIR < FILES; dir++) {
    const folder = join(root, 'assets', `d${String(dir).padStart(3, '0')}`)
    await mkdir(folder, { recursive: true })
    const writes: Promise<void>[] = []
    for (let i = dir * PER_DIR; i < Math.min(FILES, (dir + 1) * PER_DIR); i++) {
      // png(1, 1, i): a valid 1×1 PNG whose pixel encodes i, so every file has its own hash.
      writes.push(writeFile(join(folder, `img-${String(i).padStart(5, '0')}.png`), png(1, 1, i)))
    }
    await Promise.all(writes)
  }
}

/** The baseline: one fast-glob walk with the include pattern and walk options (`walkOptions`) of src/core/scan.ts. */
function walk(options: ResolvedOptions, walkOptions: fg.Options): Promise<string[]> {
  return fg([...options.include], walkOptions)
}

/** What a sync that walks does at least: the walk, then a stat of every file found (joined as src/core/inspect.ts joins paths). */
async function walkAndStat(options: ResolvedOptions, walkOptions: fg.Options): Promise<number> {
  const paths = await walk(options, walkOptions)
  const prefix = options.root + sep
  let bytes = 0
  for (const path of paths) bytes += statSync(prefix + path).size
  return bytes
}

/** One `wix-media sync` run, in process; `fromLastSync` says which way it must have gone (and whether it may walk). */
async function noChangeSync(options: ResolvedOptions, fromLastSync: boolean): Promise<{ ms: number; requests: number }> {
  let walked: boolean | undefined
  const { ms, value: report } = await timed(() => syncProject(options, { onScanned: (_paths, walk) => void (walked = walk) }))
  if (report.files !== FILES || report.reused !== FILES || report.uploaded !== 0 || report.adopted !== 0 || report.errors.length > 0 ||
    report.fromLastSync !== fromLastSync || walked !== !fromLastSync) {
    throw new Error(`the no-change sync did not go as expected: ${JSON.stringify({ ...report, walked, errors: report.errors.map(String) })}`)
  }
  return { ms, requests: report.requests }
}

/** Runs `run` with `dir` as the working directory. */
async function inDirectory<T>(dir: string, run: () => Promise<T>): Promise<T> {
  const before = process.cwd()
  process.chdir(dir)
  try {
    return await run()
  } finally {
    process.chdir(before)
  }
}

/** Runs `node <args>` in `cwd` to its end; the elapsed time includes Node's start-up. */
async function processRun(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ ms: number; stdout: string }> {
  const start = performance.now()
  const { code, stdout, stderr } = await spawnCollecting(process.execPath, args, { cwd, env: { ...process.env, ...env } }).closed
  const ms = performance.now() - start
  if (code !== 0) throw new Error(`node ${args.slice(0, 2).join(' ')} exited with ${code}: ${stderr}`)
  return { ms, stdout }
}

/** The CLI as users run it, against a Node process that only walks; both interleaved. */
async function endToEnd(
  options: ResolvedOptions,
  walkOptions: fg.Options,
  apiBaseUrl: string,
  credentials: { apiKey: string; siteId: string },
): Promise<void> {
  const fastGlob = join(REPO, 'node_modules/fast-glob/out/index.js')
  const walkScript = `const fg = (await import(${JSON.stringify(fastGlob)})).default; ` +
    `const found = await fg(${JSON.stringify(options.include)}, ${JSON.stringify(walkOptions)}); console.log(found.length)`
  const env = { WIX_API_KEY: credentials.apiKey, WIX_SITE_ID: credentials.siteId, WIX_API_BASE_URL: apiBaseUrl }
  const runs = await interleaved<{ ms: number }>(REPS, [
    { name: 'walk (process)', run: async () => {
      const { ms, stdout } = await processRun(['--input-type=module', '-e', walkScript], options.root)
      if (Number(stdout.trim()) !== FILES) throw new Error(`the walking process found ${stdout.trim()} files, not ${FILES}`)
      return { ms }
    } },
    { name: 'wix-media sync (process)', run: async () => {
      const { ms, stdout } = await processRun([BUILT_CLI, 'sync', '--json'], options.root, env)
      const report = JSON.parse(stdout) as { reused: number; uploaded: number; requests: number }
      if (report.reused !== FILES || report.uploaded !== 0 || report.requests !== 0) throw new Error(`the CLI did not reuse every file: ${stdout}`)
      return { ms }
    } },
  ])
  const walkMs = median(runs.get('walk (process)')!.map((run) => run.ms))
  const cliMs = median(runs.get('wix-media sync (process)')!.map((run) => run.ms))
  result(`end to end, \`wix-media sync\` (built CLI) ${formatMs(cliMs)} vs a Node process that walks ${formatMs(walkMs)} → ` +
    `${formatRatio(cliMs / walkMs)} (for information; both include Node's start-up)`)
}

async function main(): Promise<void> {
  banner('no-change sync vs fast-glob walk', [`${FILES} files; ${REPS} runs per side, interleaved (BENCH_FILES, BENCH_REPS)`])
  await withTempDir('no-change', async (dir) => {
    const root = join(dir, 'project')
    await makeTree(root)
    const emulator = await startEmulator({ seed: 1 })
    try {
      const options = resolveOptions({
        root,
        apiBaseUrl: emulator.url,
        apiKey: emulator.apiKey,
        siteId: emulator.siteId,
        concurrency: 16,
      }, {})

      // One real sync: uploads everything, writes the lockfile and the stat cache.
      const first = await timed(() => syncProject(options))
      if (first.value.uploaded !== FILES || first.value.errors.length > 0) {
        throw new Error(`the first sync uploaded ${first.value.uploaded} of ${FILES} files (${first.value.errors.length} errors)`)
      }
      console.error(`   setup: first sync uploaded ${FILES} files in ${formatMs(first.ms)} (${emulator.requests().length} requests)`)
      // The first sync wrote the lockfile as it ended, too fresh to be trusted: the next sync, once
      // it is older than a timestamp tick, is a full one that records (as a user's next sync would).
      await new Promise((resolve) => setTimeout(resolve, 100))
      await syncProject(options)
      const record = join(options.cacheDir, 'last-sync.json')
      if (!existsSync(record)) throw new Error(`the second sync wrote no ${record}`)
      const requestsBefore = emulator.requests().length
      const walking = await walkOptions(options)
      // Run where users run the CLI (its root is the working directory); the walk's options name the root, so it does not care.
      const runs = await inDirectory(root, () => interleaved<{ ms: number; requests?: number }>(REPS, [
        { name: 'fast-glob walk', run: async () => {
          const { ms, value } = await timed(() => walk(options, walking))
          if (value.length !== FILES) throw new Error(`the walk found ${value.length} files, not ${FILES}`)
          return { ms }
        } },
        { name: 'walk + stat', run: async () => {
          const { ms, value } = await timed(() => walkAndStat(options, walking))
          if (value === 0) throw new Error('the walk found no bytes')
          return { ms }
        } },
        { name: 'no-change sync', run: () => noChangeSync(options, true) },
        { name: 'without the record', run: async () => {
          await rm(record)
          return noChangeSync(options, false)
        } },
      ]))
      const requestsDuring = emulator.requests().length - requestsBefore
      const syncs = [...runs.get('no-change sync')!, ...runs.get('without the record')!]
      const walkMs = median(runs.get('fast-glob walk')!.map((run) => run.ms))
      const syncMs = median(runs.get('no-change sync')!.map((run) => run.ms))
      const fullMs = median(runs.get('without the record')!.map((run) => run.ms))
      console.error(`   HTTP requests during the ${syncs.length} no-change syncs: ${requestsDuring} seen by the emulator, ` +
        `${syncs.reduce((sum, run) => sum + (run.requests ?? 0), 0)} counted by the engines`)
      const floorMs = median(runs.get('walk + stat')!.map((run) => run.ms))
      result(`no-change sync of ${FILES} files (median of ${REPS}): ${formatMs(syncMs)} vs fast-glob walk ${formatMs(walkMs)} → ` +
        `${formatRatio(syncMs / walkMs)} (target ≤ 2.00×); HTTP requests: ${requestsDuring}`)
      result(`walk + stat of every file: ${formatMs(floorMs)} = ${formatRatio(floorMs / walkMs)} the walk; ` +
        `the no-change sync (no walk) is ${formatRatio(syncMs / floorMs)} of it (for information)`)
      result(`without the last sync's record (lockfile and stat cache loaded): ${formatMs(fullMs)} = ${formatRatio(fullMs / walkMs)} the walk ` +
        '(for information: the first sync after a change)')
      if (existsSync(BUILT_CLI)) await endToEnd(options, walking, emulator.url, { apiKey: emulator.apiKey, siteId: emulator.siteId })
      else console.error('   end-to-end comparison skipped: the package is not built (npm run build)')
    } finally {
      await emulator.close()
    }
  })
}

await main()
