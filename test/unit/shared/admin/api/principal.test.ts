import { groupsOf } from '../../../../../shared/admin/api/principal';

describe('groupsOf: the groups of a JWT claim in every form it reaches the function', () => {
  it.each([
    ['API Gateway HTTP API bracketed, space-separated', '[model-hub-admins readers]', ['model-hub-admins', 'readers']],
    ['one group in brackets', '[model-hub-admins]', ['model-hub-admins']],
    ['a JSON-ish quoted list', '["a","b"]', ['a', 'b']],
    ['comma-separated', 'a,b , c', ['a', 'b', 'c']],
    ['a single name', 'model-hub-admins', ['model-hub-admins']],
    ['an array (direct invocation, other gateways)', ['a', 'b'], ['a', 'b']],
    ['empty brackets', '[]', []],
    ['absent', undefined, []],
  ] as const)('%s', (_, claim, expected) => {
    expect(groupsOf(claim as never)).toEqual(expected);
  });
});
