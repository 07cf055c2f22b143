/** The environment variable that carries a topology queue's URL to the functions sending to it: `send-email` → `SEND_EMAIL_QUEUE_URL`. */
export function queueUrlVariable(queueName: string): string {
  return `${queueName
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.toUpperCase())
    .join('_')}_QUEUE_URL`;
}
