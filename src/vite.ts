/** `wixMedia()` for Vite. */
import { unplugin } from './plugin/index.ts'

export default unplugin.vite
