import { createTokenVerifier } from '#shared/auth/token-verifier.ts';
import { oidcSettingsFromEnvironment } from '#shared/auth/oidc-settings.ts';
import { secureCookiesFor } from '#shared/auth/cookies.ts';
import type { SessionDeps } from '#shared/auth/staff-session.ts';
import { ConfigError } from '#shared/config/load-yaml.ts';
import { consoleConfig, reasonLabelProblems, type ConsoleConfig } from '#shared/console/console-config.ts';
import { loadCatalogs, REFERENCE_LOCALE, type Catalogs } from '#shared/i18n/catalogs.ts';
import { currentTime } from '#shared/runtime/clock.ts';

/** The console's config and catalogs, cross-checked once per cold start: a reason without a label fails the start. */
export function consoleSettings(): { config: ConsoleConfig; catalogs: Catalogs } {
  const config = consoleConfig();
  const catalogs = loadCatalogs();
  const reference = catalogs.get(REFERENCE_LOCALE);
  const problems = reasonLabelProblems(config, (key) => reference?.has(key) ?? false);
  if (problems.length > 0) throw new ConfigError(`invalid configuration\n  ${problems.join('\n  ')}`);
  return { config, catalogs };
}

/** Sign-in settings from the environment (user pool, app client, hosted UI) and the link-signing key. */
export function sessionDeps(signingKey: string, publicBaseUrl: string): SessionDeps {
  const oidc = oidcSettingsFromEnvironment();
  return { oidc, verifier: createTokenVerifier(oidc), signingKey, publicBaseUrl, secureCookies: secureCookiesFor(publicBaseUrl), now: currentTime };
}
