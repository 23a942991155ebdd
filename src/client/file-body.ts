/**
 * A file's bytes as a request body: read straight from disk in 1 MiB chunks, any range of it, with
 * memory that does not grow with the file.
 *
 * Why not a read stream: it hands the HTTP client a new buffer per read, and V8 frees those only at
 * its next collection, which it starts after about 64 MB of them; a 1 GB upload carried ~70 MB of
 * spent buffers and ran at a third of the speed (bench/large-file.ts).
 *
 * Instead, two buffers take turns: one is on the wire while the next chunk is read into the other.
 * That is safe only when the consumer is done with a chunk by the time it asks for the next one.
 * The undici `Agent` the client makes for itself is: its HTTP/1.1 writer asks for the next chunk
 * only once `write()` returned true or the socket drained, and a 1 MiB chunk is above the socket
 * high-water mark undici sets (64 KiB, 16 KiB with TLS), so it always waits for the drain, that is,
 * until the kernel has the bytes; its HTTP/2 writer waits for the stream's drain alike. A dispatcher
 * passed in may not be (interceptors, `MockAgent`, proxies, an `Agent` with a larger `highWaterMark`
 * in its `connect` options), so its bodies get a fresh buffer per chunk: correct, only hungrier.
 */
import { createHash, type Hash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import type { Dispatcher } from 'undici'
import { WixMediaError } from '../core/errors.ts'

/** Bytes per read and per chunk handed to the HTTP client. */
export const CHUNK_SIZE = 1024 * 1024

export interface FileSource {
  /**
   * The bytes `[start, end)` as a request body; bodies of one source must be sent one at a time.
   * Call `return()` once the request has settled: a writer that gave up mid-body (an HTTP/2 stream
   * reset) may never finish the iteration, and the file stays open until it ends.
   */
  range(start: number, end: number): AsyncGenerator<Buffer>
  /** Whether this source's bodies reuse their buffers (see the module comment). */
  readonly reusesBuffers: boolean
  /**
   * The server keeps the bytes before `offset` for good and the upload goes on from there (after a
   * TUS part, or a resume): the digest of what was sent goes back to that point, when it can.
   */
  rewind(offset: number): void
  /**
   * The sha256 of the bytes this source handed out, when they were the whole file, once each, in
   * order (with {@link rewind}s to where a chunk began); `undefined` when that cannot be told.
   */
  sentDigest(): string | undefined
}

/**
 * An async iterable as undici's request body. undici sends them (its request check says "a string,
 * a Buffer, a Readable stream, an iterable, or an async iterable"); its type declarations omit them.
 */
export const asRequestBody = (chunks: AsyncIterable<Buffer>): Dispatcher.DispatchOptions['body'] =>
  chunks as unknown as Dispatcher.DispatchOptions['body']

/** The engine names the file (project-relative) when the error reaches it. */
function changedWhileSending(cause?: unknown): WixMediaError {
  return new WixMediaError('WIX_MEDIA_FILE', 'changed or disappeared while it was being uploaded', {
    hint: 'Run the sync again once nothing is writing to the file',
    cause,
  })
}

/**
 * `path` (absolute) of `size` bytes, as it was hashed. A file that ends before `size` changed since:
 * an error, never a body shorter than the one announced. `reusesBuffers`: only for the client's own
 * `Agent` (see above).
 */
export function fileSource(path: string, size: number, reusesBuffers: boolean): FileSource {
  const bufferSize = Math.max(1, Math.min(CHUNK_SIZE, size))
  let ring: Buffer[] | undefined
  const bufferFor = (turn: number): Buffer => {
    if (!reusesBuffers) return Buffer.allocUnsafeSlow(bufferSize)
    ring ??= [Buffer.allocUnsafeSlow(bufferSize), Buffer.allocUnsafeSlow(bufferSize)]
    return ring[turn]!
  }

  // Bodies share the buffers. A body whose request failed may still have a read running when the
  // retry's body starts: the new one waits for it, and the old one reads no more.
  let current = 0
  let lastRead: Promise<unknown> = Promise.resolve()

  // What was sent, hashed as it goes out: a file that changes while it uploads must not be recorded
  // under the hash it had before. The state at the start of each chunk is kept, for a rewind.
  let sent: Hash | undefined = createHash('sha256')
  let sentTo = 0
  const chunkStarts = new Map<number, Hash>()
  const sending = (chunk: Buffer, at: number) => {
    if (!sent) return
    if (at !== sentTo) {
      sent = undefined
      return
    }
    chunkStarts.set(at, sent.copy())
    sent.update(chunk)
    sentTo += chunk.length
  }

  /** Some file systems (FUSE, network) may return less than asked: read on until done or the end of the file. */
  async function readFully(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<Buffer> {
    for (let filled = 0; filled < length;) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled)
      if (bytesRead === 0) throw changedWhileSending()
      filled += bytesRead
    }
    return length === buffer.length ? buffer : buffer.subarray(0, length)
  }

  async function* range(start: number, end: number): AsyncGenerator<Buffer> {
    if (start < 0 || end > size || start > end) throw new RangeError(`bytes ${start}-${end} are outside a ${size}-byte file`)
    const body = ++current
    await lastRead.catch(() => undefined)
    if (start === end) return
    let handle: FileHandle
    try {
      handle = await open(path, 'r')
    } catch (error) {
      throw changedWhileSending(error)
    }
    let position = start
    let turn = 0
    const readNext = (): Promise<Buffer> => {
      if (body !== current) throw new Error('a newer body of this file has started; this one is abandoned')
      const length = Math.min(CHUNK_SIZE, end - position)
      const buffer = bufferFor(turn)
      const at = position
      position += length
      turn ^= 1
      const read = readFully(handle, buffer, length, at)
      // Awaited later; marked handled now, so that a failed read-ahead is not an unhandled rejection meanwhile.
      read.catch(() => undefined)
      lastRead = read
      return read
    }
    let next: Promise<Buffer> | undefined
    try {
      next = readNext()
      let at = start
      while (next) {
        const chunk: Buffer = await next
        // Read ahead into the other buffer: the one the client asked for last time, which it is done with.
        next = position < end ? readNext() : undefined
        sending(chunk, at)
        at += chunk.length
        yield chunk
      }
    } finally {
      // A consumer that stops early may leave a read-ahead running: let it end before the handle closes.
      await next?.catch(() => undefined)
      await handle.close()
    }
  }

  return {
    range,
    reusesBuffers,
    rewind(offset) {
      if (offset !== sentTo) {
        sent = chunkStarts.get(offset)?.copy()
        sentTo = offset
      }
      // The server holds everything before `offset` for good (a TUS offset never goes back), and
      // what comes after is sent again: no kept state will be needed.
      chunkStarts.clear()
    },
    sentDigest: () => (sent && sentTo === size ? sent.copy().digest('hex') : undefined),
  }
}
