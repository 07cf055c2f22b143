/**
 * Where the browser tests find Chromium or Chrome: `CHROME_PATH` first, then the usual command names on `PATH`,
 * then the usual install locations on Linux and macOS. Playwright's own browser download needs the internet, so
 * the tests drive whatever Chromium-based browser the machine has. Plain Node (no test framework) so the
 * preflight check (test/preflight.ts) and the tests share one answer.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Command names Chromium and Chrome install under, most specific first. */
export const BROWSER_COMMANDS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'] as const;

/** Install locations that are not always on PATH (snap, /opt, macOS app bundles). */
export function usualBrowserLocations(home = homedir()): string[] {
  const macApps = ['Chromium.app/Contents/MacOS/Chromium', 'Google Chrome.app/Contents/MacOS/Google Chrome'];
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome',
    ...macApps.map((app) => join('/Applications', app)),
    ...macApps.map((app) => join(home, 'Applications', app)),
  ];
}

/** Flags for a headless run on a machine without a display or outside network (the sandbox and GPU need what a CI container lacks). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface BrowserSearch {
  env?: NodeJS.ProcessEnv;
  /** Overrides the install locations (tests). */
  locations?: readonly string[];
}

/**
 * The Chromium/Chrome executable to drive, or undefined when the machine has none. A `CHROME_PATH` that points at
 * nothing runnable is not silently replaced by another browser: the caller says what is wrong with it.
 */
export function findChromium(search: BrowserSearch = {}): { path: string } | { path: undefined; badChromePath?: string } {
  const env = search.env ?? process.env;
  const chosen = env.CHROME_PATH?.trim();
  if (chosen) return isExecutableFile(chosen) ? { path: chosen } : { path: undefined, badChromePath: chosen };
  const onPath = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const command of BROWSER_COMMANDS) {
    for (const dir of onPath) {
      const candidate = join(dir, command);
      if (isExecutableFile(candidate)) return { path: candidate };
    }
  }
  const found = (search.locations ?? usualBrowserLocations()).find(isExecutableFile);
  return found ? { path: found } : { path: undefined };
}

/** One line that says how to get a browser on the machine at hand. */
export function browserInstallHint(platform: NodeJS.Platform = process.platform): string {
  const install = platform === 'darwin' ? 'brew install --cask chromium' : 'sudo apt-get install -y chromium';
  return `the browser tests need Chromium or Chrome: install it (${install}) or set CHROME_PATH to its executable`;
}

/** The executable for playwright-core's `executablePath`; throws the install hint when there is none. */
export function chromiumExecutable(): string {
  const found = findChromium();
  if (found.path !== undefined) return found.path;
  throw new Error(found.badChromePath !== undefined ? `CHROME_PATH=${found.badChromePath} is not an executable file` : browserInstallHint());
}
