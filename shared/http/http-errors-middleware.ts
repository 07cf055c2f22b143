import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { errorResponse, type HttpResult } from '#shared/http/http-response.ts';

/** middy onError: every thrown error leaves the handler as a mapped JSON response, never a stack trace. */
export function httpErrors(): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  return {
    onError: (request) => {
      request.response = errorResponse(request.error);
    },
  };
}
