import type { ShopConfig } from '#shared/config/shop-config.ts';
import { header } from '#shared/http/parse-body.ts';

/**
 * The parts of an API Gateway v2 (HTTP API) event the capture routes read. `APIGatewayProxyEventV2` fits it;
 * tests build just these fields.
 */
export interface HttpRequest {
  headers?: Record<string, string | undefined>;
  body?: string | undefined;
  isBase64Encoded?: boolean;
  rawPath?: string;
  queryStringParameters?: Record<string, string | undefined> | undefined;
  pathParameters?: Record<string, string | undefined> | undefined;
  requestContext?: { domainName?: string; http?: { sourceIp?: string } };
}

export function requestHeader(request: HttpRequest, name: string): string | undefined {
  return header({ headers: request.headers ?? {} }, name);
}

/** The client's IP as API Gateway saw it (only ever stored hashed). */
export function clientIp(request: HttpRequest): string {
  return request.requestContext?.http?.sourceIp ?? 'unknown';
}

/**
 * Base URL for links in emails: shop.publicBaseUrl, else PUBLIC_BASE_URL (set by the local runtime), else the API's
 * own domain as API Gateway reports it — so the stack need not feed the API's URL back into its own functions.
 */
export function linkBaseUrl(shop: ShopConfig, request: HttpRequest, env: NodeJS.ProcessEnv = process.env): string {
  const configured = shop.shop.publicBaseUrl ?? env.PUBLIC_BASE_URL;
  if (configured) return configured;
  const domain = request.requestContext?.domainName;
  if (domain) return `https://${domain}`;
  throw new Error('No public base URL: set shop.publicBaseUrl in config/shop.yaml or PUBLIC_BASE_URL');
}
