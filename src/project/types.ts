// The in-memory project model: the schema-derived file types (schema-types.ts, generated) with
// every default filled in, so the rest of the code never re-derives "type defaults to float".
import type {
  FeatureDef,
  LevelRecord,
  MetricDef,
  ParamDef,
  ParamType,
  PlaytestRecord,
  ProjectFile,
  TargetDef,
} from './schema-types.js';

export type { FeatureDef, LevelRecord, MetricDef, ParamDef, ParamType, PlaytestRecord, ProjectFile, TargetDef };

export type ParamGroup = NonNullable<ParamDef['group']>;
export type ParamScale = NonNullable<ParamDef['scale']>;
export type MetricKind = MetricDef['kind'];
export type ParamValue = number | boolean | string;
/** A complete assignment: every declared param has a value. */
export type ParamValues = Record<string, ParamValue>;

interface ParamBase {
  name: string;
  group: ParamGroup;
  locked: boolean;
  description?: string;
}
export interface NumericParam extends ParamBase {
  type: 'float' | 'int';
  min: number;
  max: number;
  default: number;
  scale: ParamScale;
}
export interface BoolParam extends ParamBase {
  type: 'bool';
  default: boolean;
}
export interface ChoiceParam extends ParamBase {
  type: 'choice';
  choices: string[];
  default: string;
}
export type Param = NumericParam | BoolParam | ChoiceParam;

export type Target = Required<TargetDef>;

export interface Project {
  name: string;
  description?: string;
  params: Param[];
  features: FeatureDef[];
  metrics: MetricDef[];
  targets: Target[];
}

export interface Level {
  id: string;
  features: Record<string, number>;
  description?: string;
}

/** A stored playtest as written in playtests.jsonl (params may be partial: missing = default). */
export type Playtest = PlaytestRecord;
