import type { Http2Session } from 'node:http2';
import { FLOW_CONTROL_WINDOW_BYTES, raiseServerReceiveWindow } from './flow-control';
import { hello, openRawSession, startFakeResearcher, until } from './__fixtures__/harness';

describe('raiseServerReceiveWindow', () => {
  it("raises a real grpc-js server session's receive window once (fails if a grpc-js upgrade moves its internals)", async () => {
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
    raw.close();
    fake.stop();
  });

  it('changes nothing on an object without the grpc-js internals', () => {
    expect(raiseServerReceiveWindow({}, FLOW_CONTROL_WINDOW_BYTES)).toBe(false);
    expect(raiseServerReceiveWindow({ call: { stream: {} } }, FLOW_CONTROL_WINDOW_BYTES)).toBe(false);
  });
});
