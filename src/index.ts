/**
 * unplugin-wix-media: host a web project's media in a Wix site's Media Manager.
 * Bundler plugins: `unplugin-wix-media/vite` (and `/rollup`, `/rolldown`, `/webpack`, `/rspack`,
 * `/esbuild`). The engine is exported for programmatic use.
 */
export { unplugin } from './plugin/index.ts'
export type { WixMediaPluginOptions } from './plugin/index.ts'
export { DEFAULT_EXCLUDE, defineConfig, resolveOptions, type ResolvedOptions, type WixMediaOptions } from './core/options.ts'
export { createEngine, type Engine, type HostedAsset, type LocalAsset } from './core/engine.ts'
export { syncFiles, planFiles, type SyncReport, type Plan } from './core/sync.ts'
export { scanFiles } from './core/scan.ts'
export { WixMediaError, type WixMediaErrorCode } from './core/errors.ts'
export type { LockEntry, LockfileData } from './core/lockfile.ts'
export { DEFAULT_MEDIA_EXTENSIONS, extensionOf, mediaTypeOfMime, mimeTypeOf, normalizeMimeType } from './core/media-types.ts'
export type * from './types.ts'
