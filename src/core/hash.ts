/** Content hashes: sha256 of the bytes, streamed, as 64 lowercase hex characters. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'

/** Large reads keep the hashing throughput close to the disk's and `sha256sum`'s. */
const READ_CHUNK = 1 << 20

/**
 * `size` (from a `stat` the caller already made) lets a file up to READ_CHUNK be read in one buffer
 * of its own size: a 1 MiB stream buffer per file, for the hundreds of icons a bundler hashes at
 * once, is hundreds of MB of allocation and GC (`BENCH_NO_STAT_CACHE=1 node bench/vite-build.ts`:
 * buffer allocation and GC were a third of the plugin build's CPU profile).
 */
export async function sha256File(path: string, size?: number): Promise<string> {
  if (size !== undefined && size <= READ_CHUNK) return createHash('sha256').update(await readFile(path)).digest('hex')
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
