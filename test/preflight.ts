/**
 * First step of `npm test`: checks the two things npm cannot install — Java (DynamoDB Local is Amazon's Java jar)
 * and a Chromium or Chrome (the browser tests) — and, when one is missing, stops at once with one line that says
 * what to install, instead of failing minutes later in the middle of the run.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { browserInstallHint, findChromium } from '#test/support/chromium.ts';

/** DynamoDB Local 3.x is compiled for Java 17 (class file version 61). */
export const MINIMUM_JAVA = 17;

/** The major version in `java -version` output: `openjdk version "17.0.15"` → 17, `java version "1.8.0_402"` → 8. */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const quoted = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!quoted?.[1]) return undefined;
  const first = Number(quoted[1]);
  return first === 1 && quoted[2] !== undefined ? Number(quoted[2]) : first;
}

export function javaInstallHint(platform: NodeJS.Platform = process.platform): string {
  const install = platform === 'darwin' ? 'brew install openjdk@17' : 'sudo apt-get install -y openjdk-17-jre-headless';
  return `DynamoDB Local needs Java ${MINIMUM_JAVA} or newer on PATH: install it (${install})`;
}

/** What is missing, as one sentence per item; empty when the machine can run the tests. */
export function missingPrerequisites(
  probe: { javaVersion: () => string | undefined; chromium: () => ReturnType<typeof findChromium> } = {
    javaVersion: readJavaVersion,
    chromium: () => findChromium(),
  },
): string[] {
  const missing: string[] = [];
  const versionOutput = probe.javaVersion();
  const major = versionOutput === undefined ? undefined : javaMajorVersion(versionOutput);
  if (major === undefined || major < MINIMUM_JAVA) missing.push(major === undefined ? javaInstallHint() : `${javaInstallHint()}; found Java ${major}`);
  const browser = probe.chromium();
  if (browser.path === undefined)
    missing.push(
      browser.badChromePath !== undefined
        ? `CHROME_PATH=${browser.badChromePath} is not an executable file; point it at Chromium or Chrome, or unset it`
        : browserInstallHint(),
    );
  return missing;
}

function readJavaVersion(): string | undefined {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 5000 });
  if (result.error || result.status !== 0) return undefined;
  return `${result.stderr}${result.stdout}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    process.stderr.write(`npm test cannot run on this machine: ${missing.join('; and ')}.\n`);
    process.exit(1);
  }
}
