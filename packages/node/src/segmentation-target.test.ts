/**
 * A medical folder of 2-D slices with binary lesion masks, registered on a node and trained over
 * real gRPC on loopback with a Dice loss: the node reports the mask target at search time, trains a
 * segmentation model on image/mask pairs, and refuses plans whose output or loss does not fit masks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '@fedbiomed/datasets';
import { buildPlan, type BuiltPlan, type PlanConfig } from '@fedbiomed/training';
import type { ResearcherServer } from '@fedbiomed/transport';
import type { Node } from './node';
import { loopbackNode, remoteError, trainRequest, writeNiftiVolume, type LoopbackNode } from './testing/fixtures';

jest.setTimeout(120_000);

const [NX, NY] = [6, 4];
const SUBJECTS = 8;

/** Each subject: a FLAIR slice of random intensities and its mask, 1 where the intensity exceeds 0.5. */
function writeSegmentationFolder(dir: string): void {
  const random = createRandom(5);
  const rows = ['participant_id,age'];
  for (let s = 0; s < SUBJECTS; s++) {
    const id = `sub-${s}`;
    mkdirSync(join(dir, id), { recursive: true });
    const flair = Array.from({ length: NX * NY }, () => random());
    writeNiftiVolume(join(dir, id, 'flair.nii.gz'), [NX, NY], flair);
    writeNiftiVolume(join(dir, id, 'lesions.nii.gz'), [NX, NY], flair.map((v) => (v > 0.5 ? 1 : 0)));
    rows.push(`${id},${50 + s}`);
  }
  writeFileSync(join(dir, 'participants.csv'), `${rows.join('\n')}\n`);
}

function plan(name: string, layers: tf.layers.Layer[], config: Omit<PlanConfig, 'name'>): BuiltPlan {
  const model = tf.sequential({ layers });
  try {
    return buildPlan(model, { name, ...config });
  } finally {
    model.dispose();
  }
}

describe('medical-folder masks as segmentation targets on a running node', () => {
  let loopback: LoopbackNode;
  let server: ResearcherServer;
  let node: Node;
  let datasetId: string;
  const adam = { name: 'adam', learningRate: 0.1 } as const;
  const segmenter = plan('seg-conv', [tf.layers.conv2d({ inputShape: [NX, NY, 1], filters: 1, kernelSize: 1, activation: 'sigmoid', kernelInitializer: 'zeros' })], { loss: 'dice', optimizer: adam, metrics: ['loss'] });
  const scorer = plan('seg-dense', [tf.layers.flatten({ inputShape: [NX, NY, 1] }), tf.layers.dense({ units: 1, activation: 'sigmoid' })], { loss: 'dice', optimizer: adam });
  const classifier = plan('seg-classes', [tf.layers.conv2d({ inputShape: [NX, NY, 1], filters: 2, kernelSize: 1, activation: 'softmax' })], { loss: 'categorical_crossentropy', optimizer: adam });

  beforeAll(async () => {
    loopback = await loopbackNode('hospital-seg');
    ({ server, node } = loopback);
    const dir = join(loopback.tmp.path, 'flair');
    writeSegmentationFolder(dir);
    const options = { modalities: ['flair'], demographics: { file: 'participants.csv', subjectColumn: 'participant_id' }, label: { modality: 'lesions' } };
    datasetId = (await node.datasets.add({ dataType: 'medical-folder', path: dir, tags: ['flair'], options }, 'alice')).id;
    for (const built of [segmenter, scorer, classifier]) {
      node.plans.submit(built.plan, { by: 'alice' });
      node.plans.approve(built.plan.sha256, { by: 'alice' });
    }
    await loopback.start();
  });

  afterAll(() => loopback.stop());

  it('reports the mask target at search time', async () => {
    const { reply } = await server.request('hospital-seg', { search: { tags: ['flair'] } }, { timeoutMs: 10_000 });
    const [found] = reply.search?.datasets ?? [];
    expect(found).toMatchObject({ id: datasetId, targetKind: 'mask', numClasses: 0 });
    expect(found?.labelShape.map(Number)).toEqual([NX, NY, 1]);
  });

  it('trains a segmentation model with a Dice loss on the image/mask pairs', async () => {
    const { request, payload } = trainRequest(segmenter, datasetId, { args: { epochs: 40, batchSize: 4, testRatio: 0.25, metrics: ['loss'] } });
    const { reply } = await server.request('hospital-seg', request, { tensors: [payload], timeoutMs: 60_000 });
    const train = reply.train!;
    expect(Number(train.sampleCount)).toBe(40 * 6);
    expect(Number(train.metricsAfter!.sampleCount)).toBe(2);
    // The mask is a threshold of the slice, which one 1×1 convolution with a sigmoid can learn.
    const [before, after] = [train.metricsBefore!.values['loss']!, train.metricsAfter!.values['loss']!];
    expect(after).toBeLessThan(before - 0.1);
  });

  it('refuses a plan whose output is not shaped like the masks, and a class loss on masks, saying why', async () => {
    const dense = trainRequest(scorer, datasetId, { args: { metrics: ['loss'] } });
    const refused = await remoteError(server.request('hospital-seg', dense.request, { tensors: [dense.payload], timeoutMs: 30_000 }));
    expect(refused.message).toContain(`plan "seg-dense" outputs [1] but the dataset's labels are masks [${NX}, ${NY}, 1]: a segmentation model outputs one value per mask voxel`);
    const classes = trainRequest(classifier, datasetId, { args: { metrics: ['loss'] } });
    const refusedToo = await remoteError(server.request('hospital-seg', classes.request, { tensors: [classes.payload], timeoutMs: 30_000 }));
    expect(refusedToo.message).toContain(`categorical_crossentropy reads class ids, but the dataset's labels are mask [${NX}, ${NY}, 1]`);
  });
});
