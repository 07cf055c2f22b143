import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { currentCorrelationId } from '#shared/observability/correlation.ts';

/**
 * Powertools' standard JSON keys plus `correlation_id` (Powertools' own key name) read from the current correlation
 * scope at each line, so concurrent invocations in one process (the local runtime) never borrow each other's id.
 */
class CorrelatedLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const correlationId = currentCorrelationId();
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_arn: attributes.lambdaContext?.invokedFunctionArn,
        function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        sampling_rate: attributes.sampleRateValue,
        xray_trace_id: attributes.xRayTraceId,
        ...(correlationId === undefined ? {} : { correlation_id: correlationId }),
      },
    }).addAttributes(additionalLogAttributes);
  }
}

/**
 * One structured JSON logger for every function and the local runtime.
 * Log customer ids, order ids and counts — never email addresses, names or free text.
 */
export const logger = new Logger({
  serviceName: 'kinship',
  logLevel: process.env.LOG_LEVEL === 'DEBUG' ? 'DEBUG' : process.env.LOG_LEVEL === 'WARN' ? 'WARN' : process.env.LOG_LEVEL === 'SILENT' ? 'SILENT' : 'INFO',
  logFormatter: new CorrelatedLogFormatter(),
});
