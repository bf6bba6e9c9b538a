// initialize: the version handshake (major versions must match, as ML-Agents does) and capabilities.
import { defaultConfig } from '../../model/index.js';
import { packageVersion } from '../../project/paths.js';
import { ErrorCode, RpcError } from '../errors.js';
import { method, type Method } from '../services.js';

export const PROTOCOL_VERSION = '1.0';

export function sessionMethods(capabilities: { methods: string[]; notifications: string[] }): Method[] {
  return [
    method('initialize', (params, { services }) => {
      const wanted = params.protocolVersion;
      if (wanted !== undefined && wanted.split('.')[0] !== PROTOCOL_VERSION.split('.')[0]) {
        throw new RpcError(ErrorCode.ProtocolMismatch, `protocol version ${wanted} is not supported: this sidecar speaks ${PROTOCOL_VERSION}`, {
          serverProtocolVersion: PROTOCOL_VERSION,
        });
      }
      return {
        serverVersion: packageVersion(),
        protocolVersion: PROTOCOL_VERSION,
        backend: services.backend(),
        project: { name: services.store.project.name, dir: services.store.dir },
        // A torn last line cut away on open is news the user must see, not only a file under .metabalance/.
        repairs: services.store.repairLog,
        capabilities,
        // what model.train does without `steps`, as `metabalance train` without --steps
        trainDefaults: { steps: defaultConfig('joint', 0).steps },
      };
    }),
  ];
}
