// project.get / project.update
import { projectToFile } from '../../project/validate.js';
import { notification } from '../messages.js';
import { method, type Method } from '../services.js';

export const projectMethods: Method[] = [
  method('project.get', (_, { services }) => ({ project: projectToFile(services.store.project) })),
  method('project.update', async (params, { services, caller }) => {
    const project = await services.exclusive(() => services.store.updateProject(params.project));
    // A model trained on other params would answer in a parameter space that no longer exists.
    await services.models.refit(services.store.dir, project);
    services.broadcast(notification('project.changed', { what: 'project' }), caller);
    return { project: projectToFile(project) };
  }),
];
