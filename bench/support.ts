/**
 * What the benchmarks share: scale knobs from the environment, a temp folder that is always
 * removed, side-by-side runs interleaved so that a noisy neighbour hurts both sides alike, medians,
 * and the one result line each benchmark prints. Not a benchmark itself.
 */
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'

/** A whole number ≥ `min` from the environment, or `fallback`. */
export function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) throw new Error(`Expected ${name} to be an integer ≥ ${min}, got "${raw}"`)
  return value
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Creates a folder under the OS temp dir, runs `work` in it, and removes it whatever happens. */
export async function withTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `wix-media-bench-${prefix}-`))
  const cleanup = () => rm(dir, { recursive: true, force: true })
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  try {
    return await work(dir)
  } finally {
    process.off('SIGINT', onSignal)
    await cleanup()
  }
}

export interface Side<T> {
  name: string
  run: (rep: number) => Promise<T>
}

/**
 * Runs each side `reps` times, interleaved (A B, B A, A B, …, so neither side always goes first),
 * and returns every side's results in run order.
 */
export async function interleaved<T>(reps: number, sides: readonly Side<T>[], log = true): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(sides.map((side) => [side.name, []]))
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? sides : [...sides].reverse()
    for (const side of order) {
      const result = await side.run(rep)
      results.get(side.name)!.push(result)
      if (log) console.error(`  [${rep + 1}/${reps}] ${side.name}: ${describe(result)}`)
    }
  }
  return results
}

function describe(result: unknown): string {
  if (typeof result === 'number') return `${result.toFixed(1)} ms`
  if (result && typeof result === 'object' && 'ms' in result && typeof result.ms === 'number') return `${result.ms.toFixed(1)} ms`
  return JSON.stringify(result)
}

/** Reads a file once and drops the bytes, so that it sits in the page cache (any size, little memory). */
export async function warm(file: string): Promise<void> {
  for await (const _ of createReadStream(file, { highWaterMark: 1 << 20 })) { /* only the reading matters */ }
}

/** Milliseconds since `start` (a `performance.now()` value). */
export const since = (start: number): number => performance.now() - start

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now()
  const value = await work()
  return { ms: since(start), value }
}

export const MB = 1024 * 1024

export function formatRate(bytes: number, ms: number): string {
  const perSecond = bytes / (ms / 1000)
  return perSecond >= 1024 * MB ? `${(perSecond / (1024 * MB)).toFixed(2)} GB/s` : `${(perSecond / MB).toFixed(0)} MB/s`
}

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`
}

export const formatRatio = (ratio: number): string => `${ratio.toFixed(2)}×`

/** The benchmark's headline: printed last, on stdout, in one greppable form. */
export function result(line: string): void {
  console.log(`RESULT ${line}`)
}

/**
 * A banner on stderr: what runs, at which scale, the knobs that change it, and how busy the machine
 * is (the load average says how far to trust the absolute figures; the ratios are side by side).
 */
export function banner(title: string, lines: readonly string[]): void {
  console.error(`== ${title}`)
  for (const line of lines) console.error(`   ${line}`)
  console.error(`   Node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`)
}
