import type { ProtocolVersion } from './generated';

/**
 * Version of the wire protocol spoken by this build. Bump `major` for any change an older peer
 * cannot read; bump `minor` for additions an older peer can ignore.
 */
export const PROTOCOL_VERSION: Readonly<Required<ProtocolVersion>> = Object.freeze({ major: 1, minor: 2 });

/** Result of comparing two protocol versions. */
export type VersionCheck = { compatible: true; warning?: string } | { compatible: false; reason: string };

/**
 * Compares the version a peer announced with ours. A major mismatch is refused with a message that
 * says which side must upgrade; a minor mismatch is tolerated and reported as a warning.
 *
 * @param local - this side's version
 * @param remote - the version the peer announced
 * @param localRole - what this side is ("researcher" or "node"), used in the message
 */
export function checkProtocolVersion(
  local: Required<ProtocolVersion>,
  remote: ProtocolVersion | null | undefined,
  localRole: 'researcher' | 'node',
): VersionCheck {
  const remoteRole = localRole === 'researcher' ? 'node' : 'researcher';
  if (!remote || remote.major === undefined) {
    return { compatible: false, reason: `the ${remoteRole} announced no protocol version; upgrade the ${remoteRole}` };
  }
  const remoteMajor = Number(remote.major);
  const remoteMinor = Number(remote.minor ?? 0);
  if (remoteMajor !== local.major) {
    const older = remoteMajor < local.major ? remoteRole : localRole;
    return {
      compatible: false,
      reason:
        `protocol major version mismatch: ${localRole} speaks ${local.major}.${local.minor}, ` +
        `${remoteRole} speaks ${remoteMajor}.${remoteMinor}; upgrade the ${older}`,
    };
  }
  if (remoteMinor !== local.minor) {
    return {
      compatible: true,
      warning: `protocol minor version differs (${localRole} ${local.major}.${local.minor}, ${remoteRole} ${remoteMajor}.${remoteMinor}); continuing`,
    };
  }
  return { compatible: true };
}
