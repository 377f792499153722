import { describe, expect, it } from 'vitest';
import { isTransient } from '../../../src/kube/errors.js';

describe('isTransient', () => {
  it.each([
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a request deadline', new Error('PATCH /apis/x timed out after 60000 ms')],
    ['too many requests', { statusCode: 429 }],
    ['an API server error', { statusCode: 500 }],
    ['a gateway that lost the API server', { statusCode: 503 }],
  ])('retries %s', (_what, err) => {
    expect(isTransient(err)).toBe(true);
  });

  it.each([
    ['a conflict', { statusCode: 409 }],
    ['a missing object', { statusCode: 404 }],
    ['a forbidden write', { statusCode: 403 }],
    ['an invalid object', { statusCode: 422 }],
  ])('does not retry %s', (_what, err) => {
    expect(isTransient(err)).toBe(false);
  });
});
