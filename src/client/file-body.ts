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
 * undici's own connection dispatchers (`Agent`, `Pool`, `Client`) are: their writers ask for the
 * next chunk only once `write()` returned true or the socket drained, and a chunk larger than the
 * socket's high-water mark always waits for the drain, that is, until the kernel has the bytes.
 * Any other dispatcher (interceptors, `MockAgent`, proxies, another copy of undici) may keep chunks
 * after asking for the next one, so it gets a fresh buffer per chunk: correct, only hungrier.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { getDefaultHighWaterMark } from 'node:stream'
import { Agent, Client, Pool, type Dispatcher } from 'undici'
import { WixMediaError } from '../core/errors.ts'

/** Bytes per read and per chunk handed to the HTTP client. */
export const CHUNK_SIZE = 1024 * 1024

export interface FileSource {
  /** The bytes `[start, end)` as a request body; bodies of one source must be sent one at a time. */
  range(start: number, end: number): AsyncIterable<Buffer>
  /** Whether this source's bodies reuse their buffers (see the module comment). */
  readonly reusesBuffers: boolean
}

/**
 * An async iterable as undici's request body. undici sends them (its request check says "a string,
 * a Buffer, a Readable stream, an iterable, or an async iterable"); its type declarations omit them.
 */
export const asRequestBody = (chunks: AsyncIterable<Buffer>): Dispatcher.DispatchOptions['body'] =>
  chunks as unknown as Dispatcher.DispatchOptions['body']

/** Whether `dispatcher` is done with a body chunk when it asks for the next. */
export function releasesChunksInOrder(dispatcher: Dispatcher): boolean {
  const kind = [Agent, Pool, Client].find((own) => dispatcher.constructor === own)
  // `compose()` wraps a dispatcher in a proxy whose `dispatch` runs interceptors first.
  const bare = kind !== undefined && dispatcher.dispatch === kind.prototype.dispatch
  return bare && CHUNK_SIZE > getDefaultHighWaterMark(false)
}

/** The engine names the file (project-relative) when the error reaches it. */
function changedWhileSending(cause?: unknown): WixMediaError {
  return new WixMediaError('WIX_MEDIA_FILE', 'changed or disappeared while it was being uploaded', {
    hint: 'Run the sync again once nothing is writing to the file',
    cause,
  })
}

/**
 * `path` (absolute) of `size` bytes, as it was hashed. A read that comes back short means the file
 * changed since: an error, never a body of other bytes than the ones announced.
 */
export function fileSource(path: string, size: number, dispatcher: Dispatcher): FileSource {
  const reusesBuffers = releasesChunksInOrder(dispatcher)
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
      const read = handle.read(buffer, 0, length, at).then(({ bytesRead }) => {
        if (bytesRead !== length) throw changedWhileSending()
        return length === buffer.length ? buffer : buffer.subarray(0, length)
      })
      // Awaited later; marked handled now, so that a failed read-ahead is not an unhandled rejection meanwhile.
      read.catch(() => undefined)
      lastRead = read
      return read
    }
    let next: Promise<Buffer> | undefined
    try {
      next = readNext()
      while (next) {
        const chunk: Buffer = await next
        // Read ahead into the other buffer: the one the client asked for last time, which it is done with.
        next = position < end ? readNext() : undefined
        yield chunk
      }
    } finally {
      // A consumer that stops early may leave a read-ahead running: let it end before the handle closes.
      await next?.catch(() => undefined)
      await handle.close()
    }
  }

  return { range, reusesBuffers }
}
