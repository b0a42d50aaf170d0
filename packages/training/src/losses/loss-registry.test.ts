import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import { getLoss, lossNames, registerLoss, resolveLoss } from './loss-registry';

tf.env().set('IS_TEST', true);

describe('the loss registry', () => {
  it('holds the built-ins under their names, without anyone registering them', () => {
    expect(lossNames()).toEqual([
      'binary_crossentropy',
      'categorical_crossentropy',
      'cox_ph',
      'dice',
      'focal',
      'huber',
      'mae',
      'mse',
      'poisson',
      'sparse_categorical_crossentropy',
    ]);
    expect(getLoss('cox_ph').target).toBe('survival');
  });

  it('refuses an unknown name with the list of known ones', () => {
    expect(() => getLoss('hinge')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringMatching(/loss "hinge" is not registered; known: binary_crossentropy, .*sparse_categorical_crossentropy$/) }));
  });

  it('registers a loss under a plain or an npm-namespaced name, with its own arguments', () => {
    const scaled = z.strictObject({ scale: z.number().positive().default(2) });
    registerLoss({
      name: '@lab/losses@1.4.0-rc.1/scaled_mae',
      description: 'scale × mean absolute error',
      target: 'values',
      params: scaled,
      outputs: () => 'values',
      fn: (labels, outputs, { scale }) => tf.mul(scale, tf.mean(tf.abs(tf.sub(labels, outputs)))),
    });
    const value = (ref: Parameters<typeof resolveLoss>[0]) =>
      tf.tidy(() => resolveLoss(ref).fn(tf.tensor2d([[1], [3]]), tf.tensor2d([[2], [1]])).dataSync()[0]);
    expect(value('@lab/losses@1.4.0-rc.1/scaled_mae')).toBeCloseTo(3, 6);
    expect(value({ name: '@lab/losses@1.4.0-rc.1/scaled_mae', params: { scale: 0.5 } })).toBeCloseTo(0.75, 6);
    expect(() => resolveLoss({ name: '@lab/losses@1.4.0-rc.1/scaled_mae', params: { scale: -1 } })).toThrow(
      /loss "@lab\/losses@1.4.0-rc.1\/scaled_mae": params.scale: /,
    );
  });

  it('refuses a taken name and a malformed one', () => {
    const definition = { ...getLoss('mse') };
    expect(() => registerLoss(definition)).toThrow(/loss "mse" is already registered/);
    for (const name of ['MyLoss', 'my-loss', 'pkg/my_loss', 'pkg@latest/my_loss', 'pkg@1.0/my_loss']) {
      expect(() => registerLoss({ ...definition, name })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`loss name "${name}"`) }));
    }
  });
});
