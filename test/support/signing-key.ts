/**
 * The signing secret tests hand to code that keys customer ids (and signs links) directly, without the local
 * runtime, so an expected id can be computed with the same key: customerIdForEmail(address, TEST_SIGNING_KEY).
 */
export const TEST_SIGNING_KEY = 'test-signing-key-0123456789abcdef-0123456789';
