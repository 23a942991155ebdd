/** `wixMedia()` for Rolldown. */
import { unplugin } from './plugin/index.ts'

export default unplugin.rolldown
