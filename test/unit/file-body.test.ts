/**
 * A file as a request body (src/client/file-body.ts): exact bytes for any range, two reused buffers
 * when asked (the client's own Agent is done with a chunk when it asks for the next), a fresh buffer
 * per chunk otherwise, and clear errors when the file changes under it.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHUNK_SIZE, fileSource } from '../../src/client/file-body.ts'
import { isWixMediaError } from '../../src/core/errors.ts'

let dir: string
let bytes: Buffer
let file: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wix-media-file-body-'))
  // Random bytes: a chunk read into the wrong buffer, or twice, cannot go unnoticed.
  bytes = randomBytes(3 * CHUNK_SIZE + 12_345)
  file = join(dir, 'clip.mp4')
  await writeFile(file, bytes)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Consumes like undici's writer: each chunk is used up (copied out) before the next is asked for. */
async function sendLikeUndici(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = []
  for await (const chunk of chunks) out.push(Buffer.from(chunk))
  return Buffer.concat(out)
}

/** Consumes like MockAgent or a recording interceptor: keeps every chunk, reads them at the end. */
async function keepEveryChunk(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const kept: Buffer[] = []
  for await (const chunk of chunks) kept.push(chunk)
  return kept
}

describe('fileSource', () => {
  it('gives the exact bytes of any range, chunk-aligned or not, one body after another', async () => {
    const source = fileSource(file, bytes.length, true)
    const ranges: [number, number][] = [
      [0, bytes.length], [0, 1], [0, CHUNK_SIZE], [CHUNK_SIZE - 1, CHUNK_SIZE + 1], [5, 2 * CHUNK_SIZE + 7], [bytes.length - 10, bytes.length], [7, 7],
    ]
    for (const [start, end] of ranges) {
      expect((await sendLikeUndici(source.range(start, end))).equals(bytes.subarray(start, end)), `bytes ${start}-${end}`).toBe(true)
    }
    await expect(sendLikeUndici(source.range(0, bytes.length + 1))).rejects.toThrow(RangeError)
  })

  it('reusing, two buffers carry the whole file', async () => {
    const source = fileSource(file, bytes.length, true)
    expect(source.reusesBuffers).toBe(true)
    const memory = new Set<ArrayBufferLike>()
    const out: Buffer[] = []
    for await (const chunk of source.range(0, bytes.length)) {
      memory.add(chunk.buffer)
      out.push(Buffer.from(chunk))
    }
    expect(out).toHaveLength(4)
    expect(memory.size).toBe(2)
    expect(Buffer.concat(out).equals(bytes)).toBe(true)
  })

  it('not reusing (a dispatcher passed in, which may keep chunks), every chunk is its own buffer and a keeper gets intact bytes', async () => {
    const source = fileSource(file, bytes.length, false)
    const kept = await keepEveryChunk(source.range(0, bytes.length))
    expect(new Set(kept.map((chunk) => chunk.buffer)).size).toBe(kept.length)
    expect(Buffer.concat(kept).equals(bytes)).toBe(true)
  })

  it('a file that shrank since it was hashed: a WIX_MEDIA_FILE error, never a body of other bytes', async () => {
    const shrinking = join(dir, 'shrinking.mp4')
    await writeFile(shrinking, bytes)
    const source = fileSource(shrinking, bytes.length, true)
    await truncate(shrinking, 2 * CHUNK_SIZE + 10)
    const error = await sendLikeUndici(source.range(0, bytes.length)).catch((caught: unknown) => caught)
    expect(isWixMediaError(error, 'WIX_MEDIA_FILE')).toBe(true)
    expect(String(error)).toMatch(/changed or disappeared while it was being uploaded\. Run the sync again/)
  })

  it('a file that is gone: a WIX_MEDIA_FILE error with the cause', async () => {
    const source = fileSource(join(dir, 'gone.mp4'), 100, true)
    const error = await sendLikeUndici(source.range(0, 100)).catch((caught: unknown) => caught)
    expect(isWixMediaError(error, 'WIX_MEDIA_FILE')).toBe(true)
    expect((error as Error).cause).toMatchObject({ code: 'ENOENT' })
  })

  it('a body abandoned mid-way (its request failed) reads no more once the retry\'s body starts; the retry\'s bytes are intact', async () => {
    const source = fileSource(file, bytes.length, true)
    const abandoned = source.range(0, bytes.length)[Symbol.asyncIterator]()
    const first = await abandoned.next()
    expect(first.value?.equals(bytes.subarray(0, CHUNK_SIZE))).toBe(true)

    const retry = await sendLikeUndici(source.range(CHUNK_SIZE / 2, bytes.length))
    expect(retry.equals(bytes.subarray(CHUNK_SIZE / 2))).toBe(true)
    await expect(abandoned.next().then(() => abandoned.next())).rejects.toThrow(/a newer body of this file has started/)
  })

  it('a consumer that stops early leaves the source usable', async () => {
    const source = fileSource(file, bytes.length, true)
    for await (const chunk of source.range(0, bytes.length)) {
      expect(chunk).toHaveLength(CHUNK_SIZE)
      break
    }
    expect((await sendLikeUndici(source.range(0, bytes.length))).equals(bytes)).toBe(true)
  })
})
