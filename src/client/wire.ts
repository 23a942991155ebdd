/**
 * The Media Manager's REST wire format (`/site-media/v1`), as its SDK's raw types describe it:
 * 64-bit integers travel as decimal strings, timestamps as ISO-8601 strings.
 */
import type { MediaType } from '../core/media-types.ts'

export type OperationStatus = 'PENDING' | 'READY' | 'FAILED'
export type WireMediaType = MediaType | 'UNKNOWN'

export interface ImageInfo {
  id: string
  url: string
  width?: number
  height?: number
  filename?: string
  sizeInBytes?: string
}

export interface ImageMedia {
  image: ImageInfo
  previewImage?: ImageInfo
  colors?: unknown
  faces?: unknown[]
  caption?: string
}

export interface VideoResolution {
  url: string
  width?: number
  height?: number
  format: string
}

export interface FileMedia {
  image?: ImageMedia
  vector?: ImageMedia
  video?: { id: string; resolutions: VideoResolution[]; filename?: string }
  audio?: {
    id: string
    assets: { id: string; url: string; filename?: string }[]
    bitrate?: number
    format?: string
    duration?: number
    sizeInBytes?: string
  }
  document?: { id: string; url: string; filename?: string }
  archive?: { id: string; url: string; filename?: string }
  model3d?: { id: string; url: string; filename?: string }
}

export interface FileDescriptor {
  id: string
  displayName: string
  url: string
  parentFolderId: string
  hash: string
  sizeInBytes: string
  private: boolean
  mediaType: WireMediaType
  media: FileMedia
  operationStatus: OperationStatus
  thumbnailUrl: string
  labels: string[]
  createdDate: string
  updatedDate: string
  siteId: string
  state: 'OK' | 'DELETED'
}

export interface Folder {
  id: string
  displayName: string
  parentFolderId: string
  createdDate: string
  updatedDate: string
  state: 'OK' | 'DELETED'
}

export interface PagingMetadata {
  cursors: { next?: string }
}

export interface ExternalInfo {
  origin?: string
  externalIds?: string[]
}

/** Body of `POST /files/generate-upload-url`. */
export interface GenerateUploadUrlRequest {
  mimeType: string
  fileName?: string
  sizeInBytes?: string
  parentFolderId?: string
  private?: boolean
  labels?: string[]
  externalInfo?: ExternalInfo
  filePath?: string
}

/** Body of `POST /files/generate-resumable-upload-url`. */
export interface GenerateResumableUploadUrlRequest extends Omit<GenerateUploadUrlRequest, 'externalInfo'> {
  uploadProtocol?: 'TUS'
}

export interface GenerateUploadUrlResponse {
  uploadUrl: string
}

export interface GenerateResumableUploadUrlResponse {
  uploadProtocol: 'TUS'
  uploadUrl: string
  uploadToken: string
}

export interface FileFieldViolation {
  field: string
  description: string
  violatedRule: 'REQUIRED_FIELD' | 'MAX_LENGTH' | 'MIN_LENGTH' | 'MAX' | 'MIN' | 'FORMAT' | 'OTHER'
  ruleName?: string
  data?: Record<string, unknown>
}

/** The body of every non-200 answer. */
export interface WireError {
  message: string
  details: {
    applicationError?: { code: string; description: string; data: Record<string, unknown> }
    validationError?: { fieldViolations: FileFieldViolation[] }
  }
}

export const API_PREFIX = '/site-media/v1'
export const DEFAULT_API_BASE_URL = 'https://www.wixapis.com'
export const MEDIA_ROOT = 'media-root'
export const TRASH_ROOT = 'trash-root'
export const VISITOR_UPLOADS_ROOT = 'visitor-uploads-root'
