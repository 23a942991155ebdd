/** Content hashes: sha256 of the bytes, streamed, as 64 lowercase hex characters. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/** Large reads keep the hashing throughput close to the disk's and `sha256sum`'s. */
const READ_CHUNK = 1 << 20

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
