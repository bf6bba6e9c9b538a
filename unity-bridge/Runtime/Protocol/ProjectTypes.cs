using System.Collections.Generic;
using Newtonsoft.Json;

// The records of the project folder (schemas/project, level, playtest), named as in src/project/schema-types.ts.
namespace Metabalance
{
    public sealed class ProjectFile
    {
        [JsonProperty("name")] public string Name;
        [JsonProperty("description")] public string Description;
        [JsonProperty("params")] public List<ParamDef> Params = new List<ParamDef>();
        [JsonProperty("features")] public List<FeatureDef> Features;
        [JsonProperty("metrics")] public List<MetricDef> Metrics = new List<MetricDef>();
        [JsonProperty("targets")] public List<TargetDef> Targets;
    }

    public static class ParamTypes
    {
        public const string Float = "float";
        public const string Int = "int";
        public const string Bool = "bool";
        public const string Choice = "choice";
    }

    public sealed class ParamDef
    {
        [JsonProperty("name")] public string Name;
        /// <summary>"float" (default), "int", "bool" or "choice".</summary>
        [JsonProperty("type")] public string Type;
        [JsonProperty("min")] public double? Min;
        [JsonProperty("max")] public double? Max;
        /// <summary>A number, bool or string, as the type demands.</summary>
        [JsonProperty("default")] public object Default;
        /// <summary>"linear" (default) or "log".</summary>
        [JsonProperty("scale")] public string Scale;
        [JsonProperty("choices")] public List<string> Choices;
        /// <summary>"balance" (default) or "generation".</summary>
        [JsonProperty("group")] public string Group;
        [JsonProperty("locked")] public bool? Locked;
        [JsonProperty("description")] public string Description;
    }

    public sealed class FeatureDef
    {
        [JsonProperty("name")] public string Name;
        [JsonProperty("min")] public double? Min;
        [JsonProperty("max")] public double? Max;
        [JsonProperty("description")] public string Description;
    }

    public sealed class MetricDef
    {
        [JsonProperty("name")] public string Name;
        /// <summary>"rate", "continuous" or "count".</summary>
        [JsonProperty("kind")] public string Kind;
        [JsonProperty("description")] public string Description;
    }

    public sealed class TargetDef
    {
        [JsonProperty("metric")] public string Metric;
        [JsonProperty("target")] public double Target;
        [JsonProperty("tolerance")] public double Tolerance;
        [JsonProperty("weight")] public double? Weight;
    }

    public sealed class LevelRecord
    {
        [JsonProperty("id")] public string Id;
        [JsonProperty("features")] public Dictionary<string, double> Features;
        [JsonProperty("description")] public string Description;
    }

    public sealed class PlaytestRecord
    {
        /// <summary>Makes an append idempotent; the recorder always sets one.</summary>
        [JsonProperty("id")] public string Id;
        [JsonProperty("levelId")] public string LevelId;
        /// <summary>Values are double/long, bool or string; a missing param means its default.</summary>
        [JsonProperty("params")] public Dictionary<string, object> Params;
        [JsonProperty("metrics")] public Dictionary<string, double> Metrics = new Dictionary<string, double>();
        [JsonProperty("tester")] public string Tester;
        /// <summary>ISO 8601 date-time, kept verbatim.</summary>
        [JsonProperty("at")] public string At;
    }
}
