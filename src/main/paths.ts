import { homedir } from 'node:os'
import { join } from 'node:path'

/** The app name Electron would derive the user-data folder from. */
export const APP_NAME = 'loopwatch'

/**
 * The platform's user-data folder, as Electron's `app.getPath('userData')` gives it for the app
 * name "loopwatch" — computed without importing Electron so the CLI and the browser host agree
 * with the desktop app on where history lives.
 *
 * @example defaultDataDir() // '/home/ana/.config/loopwatch' on Linux
 */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), APP_NAME)
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME)
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_NAME)
}
