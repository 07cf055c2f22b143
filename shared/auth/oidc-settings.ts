/**
 * Where staff sign in: the user pool's issuer (tokens are verified against its JWKS), the app client, and the
 * hosted sign-in's base URL (`/oauth2/authorize`, `/oauth2/token`). In AWS the stack sets these from the Cognito
 * user pool; locally the runtime sets them from the Cognito emulator it started. Read once at cold start.
 */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  hostedUiUrl: string;
  jwksUri: string;
}

export function oidcSettingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): OidcSettings {
  const missing = ['COGNITO_ISSUER', 'COGNITO_CLIENT_ID', 'COGNITO_HOSTED_UI_URL'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`Staff sign-in is not configured: ${missing.join(', ')} not set (the stack or npm start sets them)`);
  const issuer = env.COGNITO_ISSUER ?? '';
  return {
    issuer,
    clientId: env.COGNITO_CLIENT_ID ?? '',
    hostedUiUrl: (env.COGNITO_HOSTED_UI_URL ?? '').replace(/\/$/, ''),
    jwksUri: `${issuer}/.well-known/jwks.json`,
  };
}
