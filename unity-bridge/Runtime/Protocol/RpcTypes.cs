using System.Collections.Generic;
using Newtonsoft.Json;

// Params and results of every sidecar method (schemas/rpc/*.schema.json), named after the methods.
namespace Metabalance
{
    public sealed class EmptyParams { }

    public sealed class InitializeParams
    {
        [JsonProperty("clientName")] public string ClientName;
        [JsonProperty("clientVersion")] public string ClientVersion;
        [JsonProperty("protocolVersion")] public string ProtocolVersion;
    }

    public sealed class ServerProject
    {
        [JsonProperty("name")] public string Name;
        [JsonProperty("dir")] public string Dir;
    }

    public sealed class Capabilities
    {
        [JsonProperty("methods")] public List<string> Methods = new List<string>();
        [JsonProperty("notifications")] public List<string> Notifications = new List<string>();
    }

    /// <summary>Something opening the project folder repaired (initialize's repairs).</summary>
    public sealed class Repair
    {
        [JsonProperty("file")] public string File;
        [JsonProperty("line")] public int Line;
        /// <summary>added-newline, removed-torn-line or ignored-torn-line.</summary>
        [JsonProperty("action")] public string Action;
        [JsonProperty("savedTo")] public string SavedTo;
        [JsonProperty("message")] public string Message;
    }

    public sealed class InitializeResult
    {
        [JsonProperty("serverVersion")] public string ServerVersion;
        [JsonProperty("protocolVersion")] public string ProtocolVersion;
        [JsonProperty("backend")] public string Backend;
        [JsonProperty("project")] public ServerProject Project;
        [JsonProperty("capabilities")] public Capabilities Capabilities;
        [JsonProperty("repairs")] public List<Repair> Repairs = new List<Repair>();
    }

    public sealed class ProjectGetResult { [JsonProperty("project")] public ProjectFile Project; }
    public sealed class ProjectUpdateParams { [JsonProperty("project")] public ProjectFile Project; }
    public sealed class ProjectUpdateResult { [JsonProperty("project")] public ProjectFile Project; }

    public sealed class LevelsUpsertParams { [JsonProperty("levels")] public List<LevelRecord> Levels = new List<LevelRecord>(); }

    public sealed class RejectedRecord
    {
        [JsonProperty("index")] public int Index;
        [JsonProperty("id")] public string Id;
        [JsonProperty("errors")] public List<string> Errors = new List<string>();
    }

    /// <summary>Answer of levels.upsert and playtests.append.</summary>
    public sealed class AppendResult
    {
        [JsonProperty("accepted")] public List<string> Accepted = new List<string>();
        [JsonProperty("duplicates")] public List<string> Duplicates = new List<string>();
        [JsonProperty("rejected")] public List<RejectedRecord> Rejected = new List<RejectedRecord>();
    }

    public sealed class LevelSummary
    {
        [JsonProperty("id")] public string Id;
        [JsonProperty("features")] public Dictionary<string, double> Features = new Dictionary<string, double>();
        [JsonProperty("description")] public string Description;
        [JsonProperty("playtestCount")] public int PlaytestCount;
    }

    public sealed class LevelsListResult { [JsonProperty("levels")] public List<LevelSummary> Levels = new List<LevelSummary>(); }

    public sealed class PlaytestsAppendParams { [JsonProperty("playtests")] public List<PlaytestRecord> Playtests = new List<PlaytestRecord>(); }

    public sealed class PlaytestsListParams
    {
        [JsonProperty("levelId")] public string LevelId;
        [JsonProperty("offset")] public int? Offset;
        [JsonProperty("limit")] public int? Limit;
    }

    public sealed class PlaytestsListResult
    {
        [JsonProperty("playtests")] public List<PlaytestRecord> Playtests = new List<PlaytestRecord>();
        [JsonProperty("total")] public int Total;
    }

    public static class Algorithms
    {
        public const string Joint = "joint";
        public const string Reptile = "reptile";
        public const string ReptilePlain = "reptile-plain";
    }

    public sealed class ModelTrainParams
    {
        [JsonProperty("steps")] public int? Steps;
        [JsonProperty("seed")] public int? Seed;
        /// <summary>"joint", "reptile" or "reptile-plain"; the sidecar's default when null.</summary>
        [JsonProperty("algorithm")] public string Algorithm;
    }

    public sealed class ModelTrainResult { [JsonProperty("jobId")] public string JobId; }

    public sealed class JobStatusParams { [JsonProperty("jobId")] public string JobId; }

    public static class JobStates
    {
        public const string Running = "running";
        public const string Succeeded = "succeeded";
        public const string Failed = "failed";
        public const string Cancelled = "cancelled";
    }

    public sealed class CorpusSummary
    {
        [JsonProperty("levels")] public int Levels;
        [JsonProperty("playtests")] public int Playtests;
    }

    public sealed class ModelInfo
    {
        [JsonProperty("modelId")] public string ModelId;
        [JsonProperty("algorithm")] public string Algorithm;
        [JsonProperty("seed")] public int Seed;
        [JsonProperty("steps")] public int Steps;
        [JsonProperty("trainedAt")] public string TrainedAt;
        [JsonProperty("backend")] public string Backend;
        [JsonProperty("corpus")] public CorpusSummary Corpus;
        [JsonProperty("validation")] public Dictionary<string, double> Validation = new Dictionary<string, double>();
        /// <summary>The tester population predictions are for (tester → share of the training playtests); null when the corpus names fewer than two testers.</summary>
        [JsonProperty("testers")] public Dictionary<string, double> Testers;
    }

    public sealed class TrainResult
    {
        [JsonProperty("modelId")] public string ModelId;
        [JsonProperty("info")] public ModelInfo Info;
    }

    public sealed class JobError { [JsonProperty("message")] public string Message; }

    public sealed class CurvePoint
    {
        [JsonProperty("step")] public int Step;
        [JsonProperty("loss")] public double? Loss;
        [JsonProperty("valLoss")] public double? ValLoss;
    }

    public sealed class JobStatusResult
    {
        [JsonProperty("jobId")] public string JobId;
        [JsonProperty("kind")] public string Kind;
        [JsonProperty("state")] public string State;
        [JsonProperty("step")] public int Step;
        [JsonProperty("total")] public int Total;
        [JsonProperty("loss")] public double? Loss;
        [JsonProperty("valLoss")] public double? ValLoss;
        [JsonProperty("etaSec")] public double? EtaSec;
        [JsonProperty("result")] public TrainResult Result;
        [JsonProperty("error")] public JobError Error;
        [JsonProperty("curve")] public List<CurvePoint> Curve;
    }

    public sealed class JobCancelParams { [JsonProperty("jobId")] public string JobId; }

    public sealed class JobCancelResult
    {
        [JsonProperty("jobId")] public string JobId;
        [JsonProperty("state")] public string State;
    }

    public sealed class MetricPrediction
    {
        [JsonProperty("mean")] public double Mean;
        /// <summary>The model's uncertainty about the expected value (not playtest noise).</summary>
        [JsonProperty("std")] public double Std;
    }

    public sealed class LevelBalanceParams
    {
        [JsonProperty("levelId")] public string LevelId;
        /// <summary>Playtests to adapt to instead of the stored ones (levelId may be omitted).</summary>
        [JsonProperty("playtests")] public List<PlaytestRecord> Playtests;
        [JsonProperty("allowGeneration")] public bool? AllowGeneration;
        [JsonProperty("locked")] public List<string> Locked;
        [JsonProperty("seed")] public int? Seed;
        /// <summary>Weight of staying near the level's current settings (the sidecar's default is 10; 0: only the targets count).</summary>
        [JsonProperty("stayNear")] public double? StayNear;
    }

    /// <summary>Answer of level.balance.</summary>
    public sealed class BalanceResult
    {
        [JsonProperty("levelId")] public string LevelId;
        [JsonProperty("params")] public Dictionary<string, object> Params = new Dictionary<string, object>();
        /// <summary>The level's current settings, which the search stays near (Params are the balanced ones).</summary>
        [JsonProperty("current")] public Dictionary<string, object> Current = new Dictionary<string, object>();
        [JsonProperty("predicted")] public Dictionary<string, MetricPrediction> Predicted = new Dictionary<string, MetricPrediction>();
        [JsonProperty("meetsTargets")] public bool MeetsTargets;
        [JsonProperty("pMeet")] public double PMeet;
        [JsonProperty("playtestCount")] public int PlaytestCount;
    }

    public sealed class LevelSuggestParams
    {
        [JsonProperty("levelId")] public string LevelId;
        [JsonProperty("count")] public int? Count;
        [JsonProperty("playtests")] public List<PlaytestRecord> Playtests;
        [JsonProperty("allowGeneration")] public bool? AllowGeneration;
        [JsonProperty("seed")] public int? Seed;
        /// <summary>Weight of staying near the level's current settings (the sidecar's default is 10; 0: only the targets count).</summary>
        [JsonProperty("stayNear")] public double? StayNear;
    }

    public sealed class Suggestion
    {
        [JsonProperty("params")] public Dictionary<string, object> Params = new Dictionary<string, object>();
        [JsonProperty("predicted")] public Dictionary<string, MetricPrediction> Predicted = new Dictionary<string, MetricPrediction>();
        [JsonProperty("pMeet")] public double PMeet;
        [JsonProperty("reason")] public string Reason;
    }

    public sealed class LevelSuggestResult
    {
        [JsonProperty("levelId")] public string LevelId;
        [JsonProperty("suggestions")] public List<Suggestion> Suggestions = new List<Suggestion>();
    }

    public sealed class LevelPredictParams
    {
        [JsonProperty("levelId")] public string LevelId;
        [JsonProperty("params")] public Dictionary<string, object> Params = new Dictionary<string, object>();
        [JsonProperty("playtests")] public List<PlaytestRecord> Playtests;
    }

    public sealed class LevelPredictResult
    {
        [JsonProperty("levelId")] public string LevelId;
        [JsonProperty("params")] public Dictionary<string, object> Params = new Dictionary<string, object>();
        [JsonProperty("predicted")] public Dictionary<string, MetricPrediction> Predicted = new Dictionary<string, MetricPrediction>();
        [JsonProperty("meetsTargets")] public bool MeetsTargets;
        [JsonProperty("pMeet")] public double PMeet;
    }

    // Notifications (server → client).

    public sealed class JobProgress
    {
        [JsonProperty("jobId")] public string JobId;
        [JsonProperty("step")] public int Step;
        [JsonProperty("total")] public int Total;
        [JsonProperty("loss")] public double? Loss;
        [JsonProperty("valLoss")] public double? ValLoss;
        [JsonProperty("etaSec")] public double? EtaSec;
    }

    public sealed class JobFinished
    {
        [JsonProperty("jobId")] public string JobId;
        [JsonProperty("state")] public string State;
        [JsonProperty("result")] public TrainResult Result;
        [JsonProperty("error")] public JobError Error;
    }

    public sealed class ProjectChanged
    {
        /// <summary>"project", "levels" or "playtests".</summary>
        [JsonProperty("what")] public string What;
        [JsonProperty("ids")] public List<string> Ids;
    }
}
