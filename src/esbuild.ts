/** `wixMedia()` for esbuild. */
import { unplugin } from './plugin/index.ts'

export default unplugin.esbuild
