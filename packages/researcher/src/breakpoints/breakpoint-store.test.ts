import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@fedbiomed/test-utils';
import { ResearcherError } from '../errors';
import { FileBreakpointStore } from './breakpoint-store';

describe('FileBreakpointStore', () => {
  it('round-trips nested state with exact float32 tensors and keeps one folder per round', async () => {
    const dir = makeTempDir();
    try {
      const store = new FileBreakpointStore(dir.path);
      const weights = new Float32Array([1.5, -0, Math.fround(0.1), 3e-39]);
      await store.save(1, { weights: new Float32Array([9]), note: 'first' });
      await store.save(2, { weights, nested: [{ m: new Float32Array([2, 4]) }], round: 2 });
      const latest = await store.loadLatest();
      expect(latest?.round).toBe(2);
      const state = latest?.state as { weights: Float32Array; nested: { m: Float32Array }[]; round: number };
      expect(Buffer.from(state.weights.buffer)).toEqual(Buffer.from(weights.buffer));
      expect(state.nested[0]?.m).toEqual(new Float32Array([2, 4]));
      expect(readdirSync(dir.path).sort()).toEqual(['latest.json', 'round-0001', 'round-0002']);
    } finally {
      dir.dispose();
    }
  });

  it('with keep: 2, deletes older round folders once a new one is in place, and still loads the latest', async () => {
    const dir = makeTempDir();
    try {
      const store = new FileBreakpointStore(dir.path, { keep: 2 });
      for (let round = 1; round <= 5; round++) await store.save(round, { round, weights: new Float32Array([round]) });
      expect(readdirSync(dir.path).sort()).toEqual(['latest.json', 'round-0004', 'round-0005']);
      expect((await store.loadLatest())?.state).toEqual({ round: 5, weights: new Float32Array([5]) });
      expect(() => new FileBreakpointStore(dir.path, { keep: 0 })).toThrow(/keep must be an integer ≥ 1, got 0/);
    } finally {
      dir.dispose();
    }
  });

  it('keeps the previous breakpoint readable when a save dies before moving the pointer', async () => {
    const dir = makeTempDir();
    try {
      const store = new FileBreakpointStore(dir.path);
      await store.save(1, { value: 1 });
      const pointer = readFileSync(join(dir.path, 'latest.json'), 'utf8');
      await store.save(2, { value: 2 });
      // Simulate a crash after round 2's folder was renamed but before the pointer moved.
      writeFileSync(join(dir.path, 'latest.json'), pointer);
      expect((await store.loadLatest())?.state).toEqual({ value: 1 });
      await store.save(2, { value: 22 });
      expect((await store.loadLatest())?.state).toEqual({ value: 22 });
      expect(readdirSync(dir.path).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    } finally {
      dir.dispose();
    }
  });

  it('reports an unreadable breakpoint with the file at fault and says nothing when there is none', async () => {
    const dir = makeTempDir();
    try {
      const store = new FileBreakpointStore(dir.path);
      expect(await store.loadLatest()).toBeUndefined();
      await store.save(1, { value: 1 });
      writeFileSync(join(dir.path, 'round-0001', 'state.json'), '{"format":');
      const error = await store.loadLatest().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResearcherError);
      expect((error as ResearcherError).message).toContain(join(dir.path, 'round-0001', 'state.json'));
      expect(existsSync(join(dir.path, 'latest.json'))).toBe(true);
    } finally {
      dir.dispose();
    }
  });

  it('keeps non-finite numbers (a NaN metric of a one-class test split) through save and load', async () => {
    const dir = makeTempDir();
    try {
      const store = new FileBreakpointStore(dir.path);
      await store.save(1, { a: { b: Number.NaN, c: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5] } });
      const loaded = (await store.loadLatest())?.state as { a: { b: number; c: number[] } };
      expect(loaded.a.b).toBeNaN();
      expect(loaded.a.c).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5]);
    } finally {
      dir.dispose();
    }
  });
});
