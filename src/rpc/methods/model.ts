// model.train / model.info, and job.status / job.cancel for the jobs model.train starts.
import { ErrorCode, RpcError } from '../errors.js';
import { method, type LoadedModel, type Method, type RpcServices } from '../services.js';

function unknownJob(jobId: string): RpcError {
  return new RpcError(ErrorCode.UnknownJob, `unknown job: ${jobId}`);
}

export function noModel(): RpcError {
  return new RpcError(ErrorCode.NoModel, 'no model trained yet: call model.train (or run `metabalance train`) first');
}

export function requireModel(services: RpcServices): LoadedModel {
  const model = services.models.current();
  if (!model) throw noModel();
  return model;
}

export const modelMethods: Method[] = [
  method('model.train', (params, { services }) => ({
    jobId: services.jobs.startTraining(params),
  })),
  method('model.info', (_, { services }) => {
    const { id, model } = requireModel(services);
    return { ...model.info, modelId: id };
  }),
  method('job.status', (params, { services }) => {
    const status = services.jobs.status(params.jobId);
    if (!status) throw unknownJob(params.jobId);
    return status;
  }),
  method('job.cancel', async (params, { services }) => {
    const state = await services.jobs.cancel(params.jobId);
    if (!state) throw unknownJob(params.jobId);
    return { jobId: params.jobId, state };
  }),
];
