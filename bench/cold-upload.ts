/**
 * Cold upload: BENCH_FILES (default 1,000) small PNGs synced with no lockfile and no stat cache,
 * through an in-process emulator that waits BENCH_LATENCY_MS (default 40) before answering any
 * route, with concurrency 8. Each run is the CLI's: scanFiles → createEngine → syncFiles, against a
 * fresh emulator (nothing to adopt).
 *
 * Baseline 1, the bound: every request the emulator saw (API calls and transfers) costs one
 *           latency, and 8 go at once: bound = requests × latency ÷ concurrency.
 *           Target: measured ≤ 1.2× the bound.
 * Baseline 2, a plain sequential loop over the same files (generate-upload-url, then PUT the bytes,
 *           one file after another, with fetch) against a fresh emulator with the same latency. It
 *           runs on the first BENCH_SEQ_FILES (default 200) files and is extrapolated linearly to
 *           all of them (each file costs the same two round trips). Reported: the engine's speed-up.
 *
 * Run: node bench/cold-upload.ts   (env: BENCH_FILES=1000, BENCH_SEQ_FILES=200, BENCH_LATENCY_MS=40,
 *                                   BENCH_CONCURRENCY=8, BENCH_REPS=3)
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { createEngine } from '../src/core/engine.ts'
import { resolveOptions } from '../src/core/options.ts'
import { scanFiles } from '../src/core/scan.ts'
import { syncFiles } from '../src/core/sync.ts'
import { startEmulator, type Emulator } from '../src/emulator/index.ts'
import { png } from '../test/support/media.ts'
import { banner, envInt, formatMs, formatRatio, interleaved, median, result, timed, withTempDir } from './support.ts'

const FILES = envInt('BENCH_FILES', 1000)
const SEQ_FILES = Math.min(FILES, envInt('BENCH_SEQ_FILES', 200))
const LATENCY = envInt('BENCH_LATENCY_MS', 40, 0)
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 8)
const REPS = envInt('BENCH_REPS', 3)

const startLatentEmulator = () => startEmulator({ latency: { default: LATENCY }, seed: 7 })

async function withEmulator<T>(work: (emulator: Emulator) => Promise<T>): Promise<T> {
  const emulator = await startLatentEmulator()
  try {
    return await work(emulator)
  } finally {
    await emulator.close()
  }
}

interface EngineRun {
  ms: number
  requests: number
  byRoute: Record<string, number>
  /** Most requests the emulator was answering at once (from its log: arrival time and duration). */
  maxConcurrent: number
  /** From the start of the run to the first upload: scan, engine, hashing, the managed-folder lookup. */
  startupMs: number
}

function maxConcurrent(log: readonly { time: string; durationMs: number }[]): number {
  const edges: [number, number][] = []
  for (const entry of log) {
    const start = Date.parse(entry.time)
    edges.push([start, 1], [start + entry.durationMs, -1])
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let now = 0
  let most = 0
  for (const [, step] of edges) most = Math.max(most, (now += step))
  return most
}

async function engineRun(root: string, state: string): Promise<EngineRun> {
  await rm(state, { recursive: true, force: true })
  return withEmulator(async (emulator) => {
    const options = resolveOptions({
      root,
      apiBaseUrl: emulator.url,
      apiKey: emulator.apiKey,
      siteId: emulator.siteId,
      concurrency: CONCURRENCY,
      lockfile: join(state, 'wix-media.lock.json'),
      cacheDir: join(state, 'cache'),
    }, {})
    const start = performance.now()
    let firstUpload = 0
    const { ms, value: report } = await timed(async () => {
      const engine = await createEngine(options, {
        onUploadStart: () => {
          firstUpload ||= performance.now()
        },
      })
      return syncFiles(engine, await scanFiles(options))
    })
    if (report.uploaded !== FILES || report.errors.length > 0) {
      throw new Error(`the cold sync uploaded ${report.uploaded} of ${FILES} files: ${report.errors.map(String).join('; ')}`)
    }
    const log = emulator.requests()
    const byRoute: Record<string, number> = {}
    for (const entry of log) byRoute[entry.route] = (byRoute[entry.route] ?? 0) + 1
    return { ms, requests: log.length, byRoute, maxConcurrent: maxConcurrent(log), startupMs: firstUpload - start }
  })
}

/** What anyone would write first: for each file, ask for an upload URL, then PUT the bytes. */
async function sequentialRun(files: readonly string[]): Promise<{ ms: number }> {
  return withEmulator(async (emulator) => {
    const { ms } = await timed(async () => {
      for (const file of files) {
        const bytes = await readFile(file)
        const generated = await fetch(`${emulator.url}/site-media/v1/files/generate-upload-url`, {
          method: 'POST',
          headers: { authorization: emulator.apiKey, 'wix-site-id': emulator.siteId, 'content-type': 'application/json' },
          body: JSON.stringify({ mimeType: 'image/png', fileName: basename(file), sizeInBytes: String(bytes.length) }),
        })
        if (!generated.ok) throw new Error(`generate-upload-url answered ${generated.status}: ${await generated.text()}`)
        const { uploadUrl } = await generated.json() as { uploadUrl: string }
        const put = await fetch(uploadUrl, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: bytes })
        if (!put.ok) throw new Error(`the upload answered ${put.status}: ${await put.text()}`)
        await put.arrayBuffer()
      }
    })
    const uploads = emulator.requests().filter((entry) => entry.route === 'upload' && entry.status === 200).length
    if (uploads !== files.length) throw new Error(`the sequential loop stored ${uploads} of ${files.length} files`)
    return { ms }
  })
}

async function main(): Promise<void> {
  banner('cold upload through the emulator', [
    `${FILES} files, latency ${LATENCY} ms on every route, concurrency ${CONCURRENCY}; sequential loop on ${SEQ_FILES} files; ` +
    `${REPS} runs per side, interleaved (BENCH_FILES, BENCH_SEQ_FILES, BENCH_LATENCY_MS, BENCH_CONCURRENCY, BENCH_REPS)`,
  ])
  await withTempDir('cold-upload', async (dir) => {
    const root = join(dir, 'project')
    const files: string[] = []
    for (let i = 0; i < FILES; i++) {
      const folder = join(root, 'assets', `d${String(Math.floor(i / 100)).padStart(2, '0')}`)
      if (i % 100 === 0) await mkdir(folder, { recursive: true })
      const file = join(folder, `img-${String(i).padStart(5, '0')}.png`)
      await writeFile(file, png(8, 8, i))
      files.push(file)
    }
    files.sort()

    const runs = await interleaved<{ ms: number }>(REPS, [
      { name: `engine, ${FILES} files`, run: (rep) => engineRun(root, join(dir, `state-${rep}`)) },
      { name: `sequential loop, ${SEQ_FILES} files`, run: () => sequentialRun(files.slice(0, SEQ_FILES)) },
    ])
    const engineRuns = runs.get(`engine, ${FILES} files`) as EngineRun[]
    const ratios = engineRuns.map((run) => run.ms / ((run.requests * LATENCY) / CONCURRENCY))
    const ratio = median(ratios)
    const engineMs = median(engineRuns.map((run) => run.ms))
    const requests = median(engineRuns.map((run) => run.requests))
    const bound = (requests * LATENCY) / CONCURRENCY
    const sequentialMs = median(runs.get(`sequential loop, ${SEQ_FILES} files`)!.map((run) => run.ms)) * (FILES / SEQ_FILES)
    console.error(`   requests per engine run by route: ${JSON.stringify(engineRuns[0]!.byRoute)}; ` +
      `most requests in flight at once (from the emulator log, to the ms): ${Math.max(...engineRuns.map((run) => run.maxConcurrent))}`)
    console.error(`   measured ÷ bound per run: ${ratios.map((r) => r.toFixed(3)).join(', ')}; ` +
      `before the first upload (scan, engine, hashing, folder lookup): ${formatMs(median(engineRuns.map((run) => run.startupMs)))} (median)`)
    result(`cold upload of ${FILES} files (latency ${LATENCY} ms, concurrency ${CONCURRENCY}, median of ${REPS}): ${formatMs(engineMs)} vs ` +
      `bound ${formatMs(bound)} (${requests} requests × ${LATENCY} ms ÷ ${CONCURRENCY}) → ${formatRatio(ratio)} (target ≤ 1.20×)`)
    result(`cold upload vs a sequential loop: engine ${formatMs(engineMs)} vs sequential ${formatMs(sequentialMs)}` +
      `${SEQ_FILES < FILES ? ` (measured on ${SEQ_FILES} files, ×${(FILES / SEQ_FILES).toFixed(2)} extrapolated)` : ''} → ` +
      `${(sequentialMs / engineMs).toFixed(1)}× faster (informative; concurrency ${CONCURRENCY} caps it at ~${CONCURRENCY}×)`)
  })
}

await main()
