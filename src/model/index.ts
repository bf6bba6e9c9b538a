// The public face of the meta-learner (README "How it works"; the layout table under "Development").
export { initBackend, backendName } from './backend.js';
export { paramSpace, type ParamSpace } from './param-space.js';
export type { Algorithm, MetaModel, ModelInfo, ModelConfig } from './model.js';
export { ALGORITHMS } from './model.js';
export { trainModel, trainResumable, defaultConfig, type Corpus, type TrainOptions, type TrainProgress } from './train.js';
export type { TrainedModel, TrainingState } from './training.js';
export { adaptLevel, type AdaptMethod } from './adapt.js';
export type { LevelPredictor, PredictOptions, Prediction } from './predictor.js';
export { typeTesters, type TesterTyping } from './typing.js';
export { AbortError } from './abort.js';
