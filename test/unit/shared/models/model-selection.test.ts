import {
  createModelSelector,
  HubignoreRejectedError,
  MAX_HUBIGNORE_BYTES,
  MAX_HUBIGNORE_RULES,
} from '../../../../shared/models/model-selection';

describe('createModelSelector', () => {
  it('selects *.hck.json at any depth by default', () => {
    const isModel = createModelSelector();
    expect(isModel('model.hck.json')).toBe(true);
    expect(isModel('a/b/c/deep.hck.json')).toBe(true);
    expect(isModel('model.json')).toBe(false);
    expect(isModel('model.hck.json.bak')).toBe(false);
    expect(isModel('README.md')).toBe(false);
  });

  it('falls back to the default for a blank pattern', () => {
    expect(createModelSelector({ pattern: '  \n' })('x/y.hck.json')).toBe(true);
  });

  it('is case-sensitive like git on Linux', () => {
    expect(createModelSelector()('MODEL.HCK.JSON')).toBe(false);
  });

  it('uses a custom, multi-line pattern with anchoring and negation', () => {
    const isModel = createModelSelector({ pattern: '/models/**/*.hck.json\n# legacy exports too\nexports/*.json\n!exports/draft-*.json' });
    expect(isModel('models/a.hck.json')).toBe(true);
    expect(isModel('models/sub/b.hck.json')).toBe(true);
    expect(isModel('other/models/a.hck.json')).toBe(false);
    expect(isModel('top.hck.json')).toBe(false);
    expect(isModel('exports/orders.json')).toBe(true);
    expect(isModel('exports/draft-orders.json')).toBe(false);
  });

  it('applies .hubignore: directories, globs, negations and comments', () => {
    const isModel = createModelSelector({
      hubignore: [
        '# generated models are not replicated',
        'generated/',
        'archive/**/old-*.hck.json',
        '*.tmp.hck.json',
        '!keep.tmp.hck.json',
        '',
        '\\#hash.hck.json',
      ].join('\n'),
    });
    expect(isModel('generated/a.hck.json')).toBe(false);
    expect(isModel('src/generated/deep/a.hck.json')).toBe(false);
    expect(isModel('generated.hck.json')).toBe(true);
    expect(isModel('archive/2020/old-crm.hck.json')).toBe(false);
    expect(isModel('archive/2020/crm.hck.json')).toBe(true);
    expect(isModel('x/work.tmp.hck.json')).toBe(false);
    expect(isModel('x/keep.tmp.hck.json')).toBe(true);
    expect(isModel('#hash.hck.json')).toBe(false);
    expect(isModel('# generated models are not replicated')).toBe(false);
  });

  it('cannot re-include a file below an ignored directory (git rule)', () => {
    const isModel = createModelSelector({ hubignore: 'private/\n!private/public.hck.json' });
    expect(isModel('private/public.hck.json')).toBe(false);
  });

  it('handles paths with spaces and non-ASCII characters', () => {
    const isModel = createModelSelector({ hubignore: 'Entwürfe alt/\nmodèle brouillon.hck.json' });
    expect(isModel('Neo4j/Figure A-19 - Bill of Materials.hck.json')).toBe(true);
    expect(isModel('données/modèle clients.hck.json')).toBe(true);
    expect(isModel('書籍/モデル.hck.json')).toBe(true);
    expect(isModel('Entwürfe alt/Kunden.hck.json')).toBe(false);
    expect(isModel('x/modèle brouillon.hck.json')).toBe(false);
    expect(createModelSelector({ pattern: 'Data Models/*.hck.json' })('Data Models/a b.hck.json')).toBe(true);
  });

  it('never selects invalid or directory paths, and does not throw', () => {
    const isModel = createModelSelector();
    for (const path of ['', '/abs/a.hck.json', './a.hck.json', 'a/../b.hck.json', 'dir.hck.json/']) {
      expect(isModel(path)).toBe(false);
    }
  });

  describe("a folder named like a model selects nothing by itself (only a file's own path counts)", () => {
    it('with the default pattern: the contents of old.hck.json/ are not models, models inside it are', () => {
      const isModel = createModelSelector();
      expect(isModel('old.hck.json/README.md')).toBe(false);
      expect(isModel('old.hck.json/diagram.png')).toBe(false);
      expect(isModel('a/old.hck.json/deeper/notes.txt')).toBe(false);
      expect(isModel('old.hck.json/inner.hck.json')).toBe(true);
    });

    it('with a custom pattern: models/**/*.json selects files only, not the contents of a folder named x.json', () => {
      const isModel = createModelSelector({ pattern: 'models/**/*.json' });
      expect(isModel('models/crm/orders.json')).toBe(true);
      expect(isModel('models/crm.json/README.md')).toBe(false);
      expect(isModel('models/crm.json/orders.json')).toBe(true);
      expect(isModel('other/models/orders.json')).toBe(false);
    });

    it('a directory pattern in the model pattern selects nothing; in .hubignore it still excludes the whole folder', () => {
      expect(createModelSelector({ pattern: 'models/' })('models/a.hck.json')).toBe(false);
      expect(createModelSelector({ hubignore: 'old.hck.json/' })('old.hck.json/inner.hck.json')).toBe(false);
    });

    it('keeps negations in the pattern working', () => {
      const isModel = createModelSelector({ pattern: '*.json\n!drafts/**' });
      expect(isModel('a/b.json')).toBe(true);
      expect(isModel('drafts/b.json')).toBe(false);
      expect(isModel('a.json/notes.md')).toBe(false);
    });
  });

  describe('a .hubignore costs a bounded amount per path', () => {
    // With the `ignore` package this rule, a backtracking regex, took over 120 s on this one path (and 18 s with 8 repeats).
    const rule = '**/a*/'.repeat(12) + 'b';
    const deep = `${'aaaaaaaa/'.repeat(40)}model.hck.json`;

    it('applies a rule of many `**` and `*` to a 40-deep path', () => {
      const isModel = createModelSelector({ hubignore: `${rule}\n${rule}/` });
      expect(isModel(deep)).toBe(true);
      expect(isModel(`${'aaaaaaaa/'.repeat(40)}b/model.hck.json`)).toBe(false);
      expect(isModel(`${'a/'.repeat(11)}b`)).toBe(false);
      expect(isModel(`${'a/'.repeat(11)}b.hck.json`)).toBe(true);
    });

    it(`rejects a .hubignore over ${MAX_HUBIGNORE_BYTES} bytes, saying what to do`, () => {
      const hubignore = `${'# a comment that takes room\n'.repeat(300)}drafts/\n`;
      expect(() => createModelSelector({ hubignore })).toThrow(HubignoreRejectedError);
      expect(() => createModelSelector({ hubignore })).toThrow(/\.hubignore is 8\d{3} bytes, over the hub's limit of 8192: shorten it/);
    });

    it(`rejects a .hubignore of more than ${MAX_HUBIGNORE_RULES} rules, and accepts one at the limits`, () => {
      const rules = (count: number) => Array.from({ length: count }, (_, index) => `r${index}/`).join('\n');
      expect(() => createModelSelector({ hubignore: rules(MAX_HUBIGNORE_RULES + 1) })).toThrow(
        /has 201 rules, over the hub's limit of 200/,
      );
      expect(createModelSelector({ hubignore: rules(MAX_HUBIGNORE_RULES) })('r7/x.hck.json')).toBe(false);
      const atSize = `${'#'.repeat(MAX_HUBIGNORE_BYTES - 8)}\ndrafts/`;
      expect(createModelSelector({ hubignore: atSize })('drafts/x.hck.json')).toBe(false);
    });
  });
});
