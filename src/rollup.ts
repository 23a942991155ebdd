/** `wixMedia()` for Rollup. */
import { unplugin } from './plugin/index.ts'

export default unplugin.rollup
