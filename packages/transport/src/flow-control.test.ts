import type { Http2Session } from 'node:http2';
import { FLOW_CONTROL_WINDOW_BYTES, MAX_HTTP2_FRAME_BYTES, raiseClientFrameSize, raiseServerReceiveWindow } from './flow-control';
import { hello, openRawSession, startFakeResearcher, until } from './__fixtures__/harness';

describe('raiseServerReceiveWindow', () => {
  it("raises a real grpc-js server session's receive window and frame size once (fails if a grpc-js upgrade moves its internals)", async () => {
    const sessions: { raised: boolean; again: boolean; session: Http2Session | undefined }[] = [];
    const fake = await startFakeResearcher((call) => {
      const raised = raiseServerReceiveWindow(call, FLOW_CONTROL_WINDOW_BYTES);
      const again = raiseServerReceiveWindow(call, FLOW_CONTROL_WINDOW_BYTES);
      sessions.push({ raised, again, session: (call as unknown as { call?: { stream?: { session?: Http2Session } } }).call?.stream?.session });
    });
    const raw = openRawSession(fake.port);
    raw.call.write(hello('n'));
    await until(() => sessions.length === 1);
    expect(sessions[0]).toMatchObject({ raised: true, again: true });
    expect(sessions[0]?.session?.state.localWindowSize).toBeGreaterThanOrEqual(FLOW_CONTROL_WINDOW_BYTES - 65_535);
    await until(() => sessions[0]?.session?.pendingSettingsAck === false);
    expect(sessions[0]?.session?.localSettings).toMatchObject({ initialWindowSize: FLOW_CONTROL_WINDOW_BYTES, maxFrameSize: MAX_HTTP2_FRAME_BYTES });
    raw.close();
    fake.stop();
  });

  it('changes nothing on an object without the grpc-js internals', () => {
    expect(raiseServerReceiveWindow({}, FLOW_CONTROL_WINDOW_BYTES)).toBe(false);
    expect(raiseServerReceiveWindow({ call: { stream: {} } }, FLOW_CONTROL_WINDOW_BYTES)).toBe(false);
  });
});

describe('raiseClientFrameSize', () => {
  it("asks the researcher for the largest frames on a real grpc-js client session, once (fails if a grpc-js upgrade moves its internals)", async () => {
    const remote: { session: Http2Session | undefined }[] = [];
    const fake = await startFakeResearcher((call) => remote.push({ session: (call as unknown as { call?: { stream?: { session?: Http2Session } } }).call?.stream?.session }));
    const raw = openRawSession(fake.port);
    raw.call.write(hello('n'));
    await until(() => remote.length === 1);
    expect(raiseClientFrameSize(raw.call)).toBe(true);
    expect(raiseClientFrameSize(raw.call)).toBe(true);
    // The researcher's side of the connection sees the node's new setting: it may now send 16 MiB frames.
    await until(() => remote[0]?.session?.remoteSettings.maxFrameSize === MAX_HTTP2_FRAME_BYTES, 10_000, 'the SETTINGS frame reaching the researcher');
    raw.close();
    fake.stop();
  });

  it('changes nothing on an object without the grpc-js internals', () => {
    expect(raiseClientFrameSize({})).toBe(false);
    expect(raiseClientFrameSize({ call: { call: { channel: {} } } })).toBe(false);
  });
});
