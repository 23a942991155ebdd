/**
 * Cold hashing: the throughput of `sha256File` (src/core/hash.ts), the hash of every file a sync
 * has no stat-cache entry for.
 *
 * Baseline: `sha256sum` (GNU coreutils) over the same files, in one process, in the same run.
 * Target:   sha256File ≥ 0.8× sha256sum's throughput.
 *
 * The data set is a few large files plus many small ones (BENCH_HASH_MB in all, default 512: three
 * quarters in 4 large files, the rest in small files of 1, 4, 16, 64 and 256 KiB in turn, the sizes of
 * a web project's icons and images). Both sides hash the same files one after another (sha256sum
 * has one thread; so does the JS side's hashing). Also reported, for information: the engine's own
 * way, 16 files at once (`inspectAll`), and the small files alone (per-file overhead shows there).
 *
 * "Cold" means no stat cache, not an empty page cache: dropping the page cache needs root, so every
 * file is read once before the runs and both sides hash from memory. That measures hashing and
 * read-path overhead, which is what this code controls; a cold disk would slow both sides alike.
 *
 * Run: node bench/hash.ts   (env: BENCH_HASH_MB=512, BENCH_REPS=5)
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import pLimit from 'p-limit'
import { sha256File } from '../src/core/hash.ts'
import { banner, envInt, formatRate, formatRatio, interleaved, median, result, MB, timed, warm, withTempDir } from './support.ts'

const TOTAL_MB = envInt('BENCH_HASH_MB', 512)
const REPS = envInt('BENCH_REPS', 5)
const LARGE_FILES = 4
/** Small files take these sizes in turn (average 68.2 KiB). */
const SMALL_SIZES = [1, 4, 16, 64, 256].map((kib) => kib * 1024)
/** As many files at once as the engine hashes (HASH_PARALLELISM in src/core/inspect.ts). */
const ENGINE_PARALLELISM = 16

interface DataSet {
  files: string[]
  bytes: number
  small: string[]
  smallBytes: number
}

async function makeFiles(dir: string): Promise<DataSet> {
  const total = TOTAL_MB * MB
  const largeSize = Math.floor((total * 0.75) / LARGE_FILES)
  const files: string[] = []
  const small: string[] = []
  let bytes = 0
  let smallBytes = 0
  await mkdir(join(dir, 'small'), { recursive: true })
  for (let i = 0; i < LARGE_FILES; i++) {
    const file = join(dir, `large-${i}.mp4`)
    const chunks: Buffer[] = []
    for (let left = largeSize; left > 0; left -= 8 * MB) chunks.push(randomBytes(Math.min(8 * MB, left)))
    await writeFile(file, chunks)
    files.push(file)
    bytes += largeSize
  }
  for (let i = 0; bytes < total || small.length === 0; i++) {
    const size = SMALL_SIZES[i % SMALL_SIZES.length]!
    const file = join(dir, 'small', `img-${String(i).padStart(5, '0')}.png`)
    await writeFile(file, randomBytes(size))
    files.push(file)
    small.push(file)
    bytes += size
    smallBytes += size
  }
  return { files, bytes, small, smallBytes }
}

function sha256sum(files: readonly string[]): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn('sha256sum', ['--', ...files], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`sha256sum exited with ${code}`))
      const digests = new Map<string, string>()
      for (const line of out.split('\n')) {
        const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line)
        if (match) digests.set(match[2]!, match[1]!)
      }
      resolve(digests)
    })
  })
}

async function sequential(files: readonly string[]): Promise<Map<string, string>> {
  const digests = new Map<string, string>()
  for (const file of files) digests.set(file, await sha256File(file))
  return digests
}

async function parallel(files: readonly string[]): Promise<Map<string, string>> {
  const limit = pLimit(ENGINE_PARALLELISM)
  const digests = new Map<string, string>()
  await Promise.all(files.map((file) => limit(async () => {
    digests.set(file, await sha256File(file))
  })))
  return digests
}

function sameDigests(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([file, digest]) => b.get(file) === digest)
}

async function main(): Promise<void> {
  banner('cold hashing: sha256File vs sha256sum', [
    `${TOTAL_MB} MiB: ${LARGE_FILES} large files + small files of 1–256 KiB; ${REPS} runs per side, interleaved (BENCH_HASH_MB, BENCH_REPS)`,
  ])
  await withTempDir('hash', async (dir) => {
    const { files, bytes, small, smallBytes } = await makeFiles(dir)
    // Warm the page cache once, so that both sides read from memory (see the header).
    for (const file of files) await warm(file)
    console.error(`   ${files.length} files (${small.length} small), ${(bytes / MB).toFixed(0)} MiB, written and read once (page cache warm)`)

    const references = new Map<string, Map<string, string>>()
    /** Times `hash` over `set` and checks that it agrees with every other side on the same set. */
    const side = (set: 'all' | 'small', hash: (files: readonly string[]) => Promise<Map<string, string>>) => async () => {
      const { ms, value } = await timed(() => hash(set === 'all' ? files : small))
      const reference = references.get(set)
      if (!reference) references.set(set, value)
      else if (!sameDigests(reference, value)) throw new Error('the two sides computed different digests')
      return ms
    }
    const names = {
      sum: 'sha256sum',
      ours: 'sha256File, one file at a time',
      engine: `sha256File, ${ENGINE_PARALLELISM} at once`,
      sumSmall: 'sha256sum, small files',
      oursSmall: 'sha256File, small files one at a time',
    }
    const runs = await interleaved(REPS, [
      { name: names.sum, run: side('all', sha256sum) },
      { name: names.ours, run: side('all', sequential) },
      { name: names.engine, run: side('all', parallel) },
      { name: names.sumSmall, run: side('small', sha256sum) },
      { name: names.oursSmall, run: side('small', sequential) },
    ])
    const ms = (name: string) => median(runs.get(name)!)
    const rate = (ms: number, size = bytes) => formatRate(size, ms)
    console.error(`   digests of both sides identical for all ${files.length} files`)
    result(`cold hashing, engine parallelism ${ENGINE_PARALLELISM}: sha256File ${rate(ms(names.engine))} vs sha256sum ${rate(ms(names.sum))} → ` +
      `${formatRatio(ms(names.sum) / ms(names.engine))} (informative)`)
    result(`cold hashing, ${small.length} small files only (${(smallBytes / MB).toFixed(0)} MiB): sha256File ${rate(ms(names.oursSmall), smallBytes)} ` +
      `vs sha256sum ${rate(ms(names.sumSmall), smallBytes)} → ${formatRatio(ms(names.sumSmall) / ms(names.oursSmall))} (informative)`)
    result(`cold hashing (page cache warm; ${(bytes / MB).toFixed(0)} MiB in ${files.length} files; median of ${REPS}): ` +
      `sha256File ${rate(ms(names.ours))} vs sha256sum ${rate(ms(names.sum))} → ${formatRatio(ms(names.sum) / ms(names.ours))} (target ≥ 0.80×)`)
  })
}

await main()
