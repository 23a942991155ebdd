/** Content hashes: sha256 of the bytes, as 64 lowercase hex characters. */
import { createHash } from 'node:crypto'
import { open, readFile } from 'node:fs/promises'

/** Large reads keep the hashing throughput close to the disk's and `sha256sum`'s. */
const READ_CHUNK = 1 << 20

/**
 * Small files (up to READ_CHUNK, known from the `size` of a `stat` the caller already made) are read
 * in one buffer of their own size: a 1 MiB stream buffer per file, for the hundreds of icons a
 * bundler hashes at once, was hundreds of MB of allocation and GC. Larger files are read through one
 * reused buffer, so hashing a 2 GB video allocates 1 MiB, not a new chunk per read that waits for GC
 * (`node bench/large-file.ts`: a read stream grew the process by ~70 MB).
 */
export async function sha256File(path: string, size?: number): Promise<string> {
  if (size !== undefined && size <= READ_CHUNK) return createHash('sha256').update(await readFile(path)).digest('hex')
  const hash = createHash('sha256')
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK)
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null)
      if (bytesRead === 0) break
      hash.update(buffer.subarray(0, bytesRead))
    }
  } finally {
    await handle.close()
  }
  return hash.digest('hex')
}
