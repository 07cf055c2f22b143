/**
 * A property of a value whose shape is not known here (a DynamoDB command input, an item read without a schema, a
 * JSON file): the property, or undefined when the value is not an object.
 */
export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;
}
