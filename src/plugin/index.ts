import { createUnplugin } from 'unplugin'
import { unpluginFactory } from './factory.ts'

/** The plugin for every bundler unplugin supports; the entries below pick one each. */
export const unplugin = /* #__PURE__ */ createUnplugin(unpluginFactory)
export type { WixMediaPluginOptions } from './options.ts'
