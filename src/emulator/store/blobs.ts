/**
 * Where file bytes live: in memory, or as files under `<dataDir>/blobs`. Writers stream (a large
 * upload never sits in memory on the disk store) and keep what they need on the way: size, MD5 and
 * the first bytes (for format sniffing and image dimensions).
 */
import { createHash, randomBytes, type Hash } from 'node:crypto'
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'

/** How many leading bytes a writer keeps for sniffing and image dimensions. */
const HEAD_BYTES = 1 << 20

export interface BlobWriter {
  readonly size: number
  /** The first {@link HEAD_BYTES} bytes written. */
  head(): Buffer
  write(chunk: Buffer): Promise<void>
  /** MD5 of everything written, as 32 lowercase hex chars (the `hash` Wix answers with). */
  digest(): string
  /** Stores the bytes under `key`; the writer is spent. */
  commit(key: string): Promise<void>
  abort(): Promise<void>
}

export interface BlobStore {
  writer(): BlobWriter
  read(key: string, range?: { start: number; end: number }): Readable
  size(key: string): Promise<number | undefined>
  delete(key: string): Promise<void>
}

abstract class BaseWriter {
  #size = 0
  readonly #hash: Hash
  #head: Buffer[] = []
  #headSize = 0

  constructor(hashAlgorithm: string) {
    this.#hash = createHash(hashAlgorithm)
  }

  get size(): number {
    return this.#size
  }

  protected track(chunk: Buffer): void {
    this.#size += chunk.length
    this.#hash.update(chunk)
    if (this.#headSize < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.#headSize)
      this.#head.push(part)
      this.#headSize += part.length
    }
  }

  head(): Buffer {
    return Buffer.concat(this.#head)
  }

  digest(): string {
    return this.#hash.copy().digest('hex')
  }
}

/** `hashAlgorithm`: what a stored file's `hash` is a digest of its bytes with (the emulator's `hashAlgorithm`). */
export function createMemoryBlobStore(hashAlgorithm: string): BlobStore {
  const blobs = new Map<string, Buffer>()
  class MemoryWriter extends BaseWriter implements BlobWriter {
    #chunks: Buffer[] = []
    async write(chunk: Buffer) {
      this.track(chunk)
      this.#chunks.push(Buffer.from(chunk))
    }
    async commit(key: string) {
      blobs.set(key, Buffer.concat(this.#chunks))
      this.#chunks = []
    }
    async abort() {
      this.#chunks = []
    }
  }
  return {
    writer: () => new MemoryWriter(hashAlgorithm),
    read(key, range) {
      const blob = blobs.get(key) ?? Buffer.alloc(0)
      return Readable.from(range ? [blob.subarray(range.start, range.end + 1)] : [blob])
    },
    async size(key) {
      return blobs.get(key)?.length
    },
    async delete(key) {
      blobs.delete(key)
    },
  }
}

export function createDiskBlobStore(dir: string, hashAlgorithm: string): BlobStore {
  class DiskWriter extends BaseWriter implements BlobWriter {
    readonly #temp = join(dir, `.upload-${randomBytes(8).toString('hex')}`)
    #stream: WriteStream | undefined
    #ready = mkdir(dir, { recursive: true })

    async write(chunk: Buffer) {
      await this.#ready
      this.track(chunk)
      this.#stream ??= createWriteStream(this.#temp)
      if (!this.#stream.write(chunk)) await new Promise<void>((resolve) => this.#stream!.once('drain', () => resolve()))
    }
    async #close() {
      await this.#ready
      const stream = this.#stream ?? createWriteStream(this.#temp)
      this.#stream = undefined
      await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())))
    }
    async commit(key: string) {
      await this.#close()
      await rename(this.#temp, join(dir, key))
    }
    async abort() {
      await this.#close().catch(() => {})
      await rm(this.#temp, { force: true })
    }
  }
  return {
    writer: () => new DiskWriter(hashAlgorithm),
    read(key, range) {
      return createReadStream(join(dir, key), range ? { start: range.start, end: range.end } : {})
    },
    async size(key) {
      return (await stat(join(dir, key)).catch(() => undefined))?.size
    },
    async delete(key) {
      await rm(join(dir, key), { force: true })
    },
  }
}
