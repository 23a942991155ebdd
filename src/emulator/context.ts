/** The per-emulator context every route handler works with (no module-level state anywhere). */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FaultInjector } from './faults.ts'
import type { RouteName } from './routes/index.ts'
import type { ResolvedEmulatorOptions } from './options.ts'
import type { Random } from './random.ts'
import type { MediaType } from '../core/media-types.ts'
import type { BlobStore, BlobWriter } from './store/blobs.ts'
import type { MediaStore } from './store/media-store.ts'

export interface TransferStats {
  /** Upload bodies (plain PUTs and TUS PATCHes) being received right now. */
  uploadsInFlight: number
  /** The most that were ever received at once since the last reset. */
  maxUploadsInFlight: number
}

/** A resumable (TUS) upload being received; kept in memory only. */
export interface TusUpload {
  id: string
  jti: string
  length: number
  writer: BlobWriter
  type: { mime: string; mediaType: MediaType }
  fileName: string | undefined
  /** A PATCH is being received. */
  busy: boolean
  expires: number
}

export interface EmulatorContext {
  readonly options: ResolvedEmulatorOptions
  readonly store: MediaStore
  readonly blobs: BlobStore
  readonly random: Random
  readonly faults: FaultInjector
  readonly stats: TransferStats
  /** Origin used in media URLs. */
  origin(): string
  /** The emulator's `wix-site-id` prefix for file ids. */
  readonly idPrefix: string
  /** Resumable uploads in progress, by TUS upload id (not persisted). */
  readonly tusUploads: Map<string, TusUpload>
  /** Background work (imports) that close() waits for. */
  readonly background: Set<Promise<unknown>>
}

export interface RequestContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly url: URL
  readonly params: Readonly<Record<string, string>>
  readonly route: RouteName
  /** The request body, chunk by chunk (honours an injected reset). */
  body(): AsyncGenerator<Buffer>
  /** The request body as a JSON object (400/413 in Wix's shape otherwise). */
  json(): Promise<Record<string, unknown>>
}

/** What a JSON route answers; routes that stream write to `res` themselves and return nothing. */
interface JsonReply {
  status?: number
  body: unknown
  headers?: Record<string, string>
}

export type Handler = (ctx: EmulatorContext, request: RequestContext) => Promise<JsonReply | undefined>
