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
  SegmentDef,
  TargetDef,
} from './schema-types.js';

export type { FeatureDef, LevelRecord, MetricDef, ParamDef, ParamType, PlaytestRecord, ProjectFile, SegmentDef, TargetDef };

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

/** A design target; with a segment, about that kind of player only. */
export type Target = Required<Omit<TargetDef, 'segment'>> & Pick<TargetDef, 'segment'>;

/** A kind of player: the testers whose playtests stand for it. */
export type Segment = SegmentDef;

export interface Project {
  name: string;
  description?: string;
  params: Param[];
  features: FeatureDef[];
  metrics: MetricDef[];
  segments: Segment[];
  targets: Target[];
}

export interface Level {
  id: string;
  features: Record<string, number>;
  description?: string;
}

/** A stored playtest as written in playtests.jsonl (params may be partial: missing = default). */
export type Playtest = PlaytestRecord;
