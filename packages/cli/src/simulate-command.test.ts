import { parseDataSpec } from './simulate-command';
import { requireBuiltCli, startCli } from './cli-test-support.test.helper';

describe('fedbiomed simulate: --data', () => {
  it('reads type:path and type:path:{json options}, the options starting at the first ":{"', () => {
    expect(parseDataSpec('mnist:data/mnist')).toEqual({ type: 'mnist', path: 'data/mnist', options: {} });
    expect(parseDataSpec('heart-disease:/x/y:z/heart:{"center":2}')).toEqual({ type: 'heart-disease', path: '/x/y:z/heart', options: { center: 2 } });
  });

  it('names what is wrong with a malformed --data', () => {
    expect(() => parseDataSpec('data.csv')).toThrow('expected type:path[:{json options}], got "data.csv"');
    expect(() => parseDataSpec('csv:a.csv:{"label": }')).toThrow(/the options of "csv:a.csv:\{"label": \}" are not valid JSON/);
  });
});

describe('fedbiomed simulate (built CLI)', () => {
  beforeAll(requireBuiltCli);

  it('refuses --nodes with two datasets, and an unknown partition, before training anything', async () => {
    const two = startCli(['simulate', '--experiment', 'none.json', '--data', 'wdbc:a', '--data', 'wdbc:b', '--nodes', '3']);
    expect(await two.exited).toBe(2);
    expect(two.stderr()).toContain('--nodes cuts one dataset; 2 --data were given');
    const unknown = startCli(['simulate', '--experiment', 'none.json', '--data', 'wdbc:a', '--nodes', '3', '--partition', 'by-magic']);
    expect(await unknown.exited).not.toBe(0);
    expect(unknown.stderr()).toMatch(/--partition <scheme>' argument 'by-magic' is invalid/);
  }, 60_000);
});
