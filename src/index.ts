/**
 * unplugin-wix-media: host a web project's media in a Wix site's Media Manager.
 * The bundler entries (`/vite`, `/rollup`, …) and the emulator (`/emulator`) are separate imports.
 */
export { extensionOf, mediaTypeOfMime, mimeTypeOf, normalizeMimeType } from './core/media-types.ts'
export type * from './types.ts'
