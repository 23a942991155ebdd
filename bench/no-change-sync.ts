/**
 * No-change sync: what `wix-media sync` costs on a project where nothing changed, the run every
 * build and every CI job makes. A tree of BENCH_FILES (default 10,000) small distinct PNGs, a
 * complete lockfile and a warm stat cache, both made by one real sync against an in-process
 * emulator; then the timed run is exactly the CLI's: scanFiles ∥ createEngine → syncFiles. It must
 * not touch the network: the emulator's request log is printed to show zero requests.
 *
 * Baseline: the bare fast-glob walk of the same tree, same include pattern and walk options as
 *           scanFiles (a sync has to list the files at least once).
 * Target:   no-change sync ≤ 2× the walk.
 * Also, for information: the walk plus a stat of every file it found (a run can only tell an
 *           unchanged file by its stat, so that is the floor of any run that trusts no stale state).
 *
 * Run: node bench/no-change-sync.ts   (env: BENCH_FILES=10000, BENCH_REPS=7)
 */
import { statSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import fg from 'fast-glob'
import { createEngine } from '../src/core/engine.ts'
import { resolveOptions, type ResolvedOptions } from '../src/core/options.ts'
import { scanFiles, walkOptions } from '../src/core/scan.ts'
import { syncFiles } from '../src/core/sync.ts'
import { startEmulator } from '../src/emulator/index.ts'
import { png } from '../test/support/media.ts'
import { banner, envInt, formatMs, formatRatio, interleaved, median, result, timed, withTempDir } from './support.ts'

const FILES = envInt('BENCH_FILES', 10_000)
const REPS = envInt('BENCH_REPS', 7)
const PER_DIR = 100

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

/** The baseline: one fast-glob walk with the include pattern and walk options of src/core/scan.ts. */
function walk(options: ResolvedOptions): Promise<string[]> {
  return fg([...options.include], walkOptions(options))
}

/** The floor: the walk, then a stat of every file found (as src/core/inspect.ts stats them). */
async function walkAndStat(options: ResolvedOptions): Promise<number> {
  const paths = await walk(options)
  let bytes = 0
  for (const path of paths) bytes += statSync(join(options.root, path)).size
  return bytes
}

interface SyncRun {
  ms: number
  scanMs: number
  engineMs: number
  syncMs: number
  requests: number
}

async function noChangeSync(options: ResolvedOptions): Promise<SyncRun> {
  const start = performance.now()
  // As the CLI does: the walk and the loading of the lockfile and stat cache overlap.
  const [scan, engine] = await Promise.all([timed(() => scanFiles(options)), timed(() => createEngine(options))])
  const sync = await timed(() => syncFiles(engine.value, scan.value))
  const ms = performance.now() - start
  const report = sync.value
  if (report.files !== FILES || report.reused !== FILES || report.uploaded !== 0 || report.adopted !== 0 || report.errors.length > 0) {
    throw new Error(`the no-change sync did not reuse every file: ${JSON.stringify({ ...report, errors: report.errors.map(String) })}`)
  }
  return { ms, scanMs: scan.ms, engineMs: engine.ms, syncMs: sync.ms, requests: report.requests }
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
      const first = await timed(async () => syncFiles(await createEngine(options), await scanFiles(options)))
      if (first.value.uploaded !== FILES || first.value.errors.length > 0) {
        throw new Error(`the first sync uploaded ${first.value.uploaded} of ${FILES} files (${first.value.errors.length} errors)`)
      }
      console.error(`   setup: first sync uploaded ${FILES} files in ${formatMs(first.ms)} (${emulator.requests().length} requests)`)
      // A second sync, untimed: settles anything a first run leaves for the next (stat cache entries).
      await noChangeSync(options)
      const requestsBefore = emulator.requests().length

      const runs = await interleaved<{ ms: number }>(REPS, [
        { name: 'fast-glob walk', run: async () => {
          const { ms, value } = await timed(() => walk(options))
          if (value.length !== FILES) throw new Error(`the walk found ${value.length} files, not ${FILES}`)
          return { ms }
        } },
        { name: 'walk + stat', run: async () => {
          const { ms, value } = await timed(() => walkAndStat(options))
          if (value === 0) throw new Error('the walk found no bytes')
          return { ms }
        } },
        { name: 'no-change sync', run: () => noChangeSync(options) },
      ])
      const requestsDuring = emulator.requests().length - requestsBefore
      const syncs = runs.get('no-change sync') as SyncRun[]
      const walkMs = median(runs.get('fast-glob walk')!.map((run) => run.ms))
      const syncMs = median(syncs.map((run) => run.ms))
      console.error(`   no-change sync phases (medians): scanFiles ${formatMs(median(syncs.map((run) => run.scanMs)))}, ` +
        `createEngine ${formatMs(median(syncs.map((run) => run.engineMs)))}, syncFiles ${formatMs(median(syncs.map((run) => run.syncMs)))}`)
      console.error(`   HTTP requests during the ${REPS} no-change syncs: ${requestsDuring} seen by the emulator, ` +
        `${syncs.reduce((sum, run) => sum + run.requests, 0)} counted by the engines`)
      const floorMs = median(runs.get('walk + stat')!.map((run) => run.ms))
      result(`no-change sync of ${FILES} files (median of ${REPS}): ${formatMs(syncMs)} vs fast-glob walk ${formatMs(walkMs)} → ` +
        `${formatRatio(syncMs / walkMs)} (target ≤ 2.00×); HTTP requests: ${requestsDuring}`)
      result(`the floor, walk + stat of every file: ${formatMs(floorMs)} = ${formatRatio(floorMs / walkMs)} the walk; ` +
        `the no-change sync is ${formatRatio(syncMs / floorMs)} of it (for information)`)
    } finally {
      await emulator.close()
    }
  })
}

await main()
