/** `wixMedia()` for webpack. */
import { unplugin } from './plugin/index.ts'

export default unplugin.webpack
