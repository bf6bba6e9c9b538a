namespace Metabalance
{
    /// <summary>Method and notification names of the sidecar protocol, version <see cref="ProtocolVersion"/>.</summary>
    public static class Methods
    {
        public const string ProtocolVersion = "1.0";

        public const string Initialize = "initialize";
        public const string ProjectGet = "project.get";
        public const string ProjectUpdate = "project.update";
        public const string LevelsUpsert = "levels.upsert";
        public const string LevelsList = "levels.list";
        public const string PlaytestsAppend = "playtests.append";
        public const string PlaytestsList = "playtests.list";
        public const string ModelTrain = "model.train";
        public const string JobStatus = "job.status";
        public const string JobCancel = "job.cancel";
        public const string ModelInfo = "model.info";
        public const string LevelBalance = "level.balance";
        public const string LevelSuggest = "level.suggest";
        public const string LevelPredict = "level.predict";

        public const string JobProgressNotification = "job.progress";
        public const string JobFinishedNotification = "job.finished";
        public const string ProjectChangedNotification = "project.changed";
    }
}
