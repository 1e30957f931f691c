import { AdminError as CliError, explainError } from '../../../../shared/admin/errors';

describe('explainError', () => {
  it.each([
    ['ENOTFOUND', Object.assign(new Error('getaddrinfo ENOTFOUND cloudformation.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' })],
    ['ETIMEDOUT', Object.assign(new Error('connect ETIMEDOUT 52.94.0.1:443'), { code: 'ETIMEDOUT' })],
    ['a TimeoutError', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })],
  ])('gives an AWS network error (%s) a next step', (_label, error) => {
    const explained = explainError(error);

    expect(explained).toBeInstanceOf(CliError);
    expect(explained.exitCode).toBe(1);
    expect(explained.message).toMatch(/^could not reach AWS: /);
    expect(explained.hint).toMatch(/check the network connection and any proxy \(HTTPS_PROXY\)/);
  });

  it('keeps sending a refused local connection to `npm start`', () => {
    const explained = explainError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4567'), { code: 'ECONNREFUSED' }));

    expect(explained.hint).toMatch(/npm start/);
  });
});
