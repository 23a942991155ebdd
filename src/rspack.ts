/** `wixMedia()` for Rspack. */
import { unplugin } from './plugin/index.ts'

export default unplugin.rspack
