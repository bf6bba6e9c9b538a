// testers.classify: each tester's segment, declared in project.json or inferred by the model's
// typing network. It reads every stored playtest of the undeclared testers once, on this thread.
import { NO_TYPING_NETWORK, typeTesters } from '../../model/typing.js';
import { ErrorCode, RpcError } from '../errors.js';
import { method, type Method } from '../services.js';
import { requireModel } from './model.js';

export const testersMethods: Method[] = [
  method('testers.classify', (params, { services }) => {
    const { store } = services;
    const { model } = requireModel(services);
    if (store.project.segments.length > 0 && model.typing === null) throw new RpcError(ErrorCode.NoModel, NO_TYPING_NETWORK);
    const testers = typeTesters(model, { project: store.project, levels: store.levels(), playtests: store.eachPlaytest() }, params.testers);
    return { segments: store.project.segments.map((g) => g.name), testers };
  }),
];
