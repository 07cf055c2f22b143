import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { OidcSettings } from '#shared/auth/oidc-settings.ts';

/** Who is signed in, from a verified ID token. */
export interface StaffIdentity {
  sub: string;
  /** The sign-in name (an email address): shown to the user themself and used as a case owner; never logged. */
  username: string;
  groups: string[];
  /** Token expiry, epoch seconds. */
  exp: number;
}

export interface TokenVerifier {
  /** The identity in a valid, unexpired ID token of our client and issuer; throws on anything else (forged, expired, other audience). */
  verify(idToken: string): Promise<StaffIdentity>;
}

/**
 * One verification path for AWS and local: aws-jwt-verify's RSA verifier with the issuer's JWKS (cached, re-fetched
 * for an unknown key id). `CognitoJwtVerifier` refuses the emulator's `local_…` pool ids, and the emulator serves its
 * JWKS over http, so the fetcher is plain `fetch`.
 */
export function createTokenVerifier(settings: OidcSettings): TokenVerifier {
  const jwksCache = new SimpleJwksCache({ fetcher: { fetch: async (uri: string) => (await fetch(uri)).arrayBuffer() } });
  const verifier = JwtRsaVerifier.create(
    {
      issuer: settings.issuer,
      audience: settings.clientId,
      jwksUri: settings.jwksUri,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== 'id') throw new Error('not an ID token');
      },
    },
    { jwksCache },
  );
  return {
    async verify(idToken) {
      const payload = await verifier.verify(idToken);
      const groups = payload['cognito:groups'];
      const username = payload.email ?? payload['cognito:username'];
      return {
        sub: payload.sub ?? '',
        username: typeof username === 'string' ? username : '',
        groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
        exp: typeof payload.exp === 'number' ? payload.exp : 0,
      };
    },
  };
}
