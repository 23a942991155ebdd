/** Public types: the Media Manager's wire format and the emulator's options. */
export type {
  ExternalInfo, FileDescriptor, FileMedia, Folder, GenerateResumableUploadUrlRequest, GenerateUploadUrlRequest,
  GenerateUploadUrlResponse, GenerateResumableUploadUrlResponse, ImageInfo, OperationStatus, WireError, WireMediaType,
} from './client/wire.ts'
export type { MediaType } from './core/media-types.ts'
export type { EmulatorOptions, FaultAction, FaultRule, LatencyOption, RequestLogEntry, RouteName } from './emulator/index.ts'
