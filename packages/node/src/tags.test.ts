import { normaliseTags, tagsConflict, tagsMatch } from './tags';

describe('tags', () => {
  it('equal tag sets and subsets conflict, both ways', () => {
    expect(tagsConflict(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(tagsConflict(['a'], ['a', 'b'])).toBe(true);
    expect(tagsConflict(['a', 'b'], ['a'])).toBe(true);
    expect(tagsConflict(['a', 'b'], ['a', 'c'])).toBe(false);
    expect(tagsConflict(['x'], ['y'])).toBe(false);
  });

  it('a search matches datasets holding every tag asked', () => {
    expect(tagsMatch(['heart', 'center-0'], ['heart'])).toBe(true);
    expect(tagsMatch(['heart'], ['heart', 'center-0'])).toBe(false);
  });

  it('normalises by trimming and dropping empties and duplicates', () => {
    expect(normaliseTags([' a', 'b ', '', 'a'])).toEqual(['a', 'b']);
  });
});
