// Secrets a node keeps on disk (docs/security.md): config.json holds the enrolment token.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@fedbiomed/test-utils';
import { initNodeFolder } from './node-folder';

describe('secrets at rest on a node', () => {
  it('writes config.json, which holds the enrolment token, readable by its owner only', () => {
    const tmp = makeTempDir('fedbiomed-secrets-');
    try {
      const dir = join(tmp.path, 'node');
      initNodeFolder(dir, { nodeId: 'hospital', researcher: { enrolmentToken: 'token-at-rest' } });
      expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    } finally {
      tmp.dispose();
    }
  });
});
