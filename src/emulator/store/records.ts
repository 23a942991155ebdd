/** What the emulator remembers about files, folders and issued upload URLs (persisted as JSON). */
import type { ExternalInfo } from '../../client/wire.ts'
import type { MediaType } from '../../core/media-types.ts'
import type { TokenKind } from '../tokens.ts'

export interface FileRecord {
  id: string
  displayName: string
  parentFolderId: string
  mimeType: string
  mediaType: MediaType
  size: number
  /** MD5 of the bytes; `''` while an import has not fetched them. */
  hash: string
  private: boolean
  labels: string[]
  createdAt: number
  updatedAt: number
  /** Until then the file is `PENDING`. */
  readyAt: number
  /** What processing ends in. */
  outcome: 'READY' | 'FAILED'
  width?: number
  height?: number
  externalInfo?: ExternalInfo
  /** The folder it was in before it was moved to the trash. */
  trashedFrom?: string
}

export interface FolderRecord {
  id: string
  displayName: string
  parentFolderId: string
  createdAt: number
  updatedAt: number
}

/** An upload URL that was generated and not yet used. */
export interface PendingUpload {
  jti: string
  kind: TokenKind
  fileId: string
  mimeType: string
  fileName?: string
  sizeInBytes?: number
  parentFolderId: string
  private: boolean
  labels: string[]
  externalInfo?: ExternalInfo
  exp: number
}

export interface PersistedState {
  version: 1
  secret: string
  files: FileRecord[]
  folders: FolderRecord[]
  pending: PendingUpload[]
  /** Token ids already spent (kept until they expire). */
  spent: { jti: string; exp: number }[]
}
