using UnityEditor;

namespace Metabalance.Editor
{
    /// <summary>The window's settings, kept per user in EditorPrefs.</summary>
    public sealed class MetabalanceSettings
    {
        const string Prefix = "Metabalance.";
        public string NodePath = "node";
        public string CliPath = "";
        public string ProjectDir = "";
        public int Port;
        public int TrainSteps = 500;
        public int SuggestCount = 5;
        public bool AllowGeneration;
        /// <summary>How strongly balancing prefers small changes to the asset (the sidecar's default).</summary>
        public float StayNear = 10f;
        public string AssetPath = "";

        public static MetabalanceSettings Load()
        {
            var s = new MetabalanceSettings();
            s.NodePath = EditorPrefs.GetString(Prefix + "NodePath", s.NodePath);
            s.CliPath = EditorPrefs.GetString(Prefix + "CliPath", s.CliPath);
            s.ProjectDir = EditorPrefs.GetString(Prefix + "ProjectDir", s.ProjectDir);
            s.Port = EditorPrefs.GetInt(Prefix + "Port", s.Port);
            s.TrainSteps = EditorPrefs.GetInt(Prefix + "TrainSteps", s.TrainSteps);
            s.SuggestCount = EditorPrefs.GetInt(Prefix + "SuggestCount", s.SuggestCount);
            s.AllowGeneration = EditorPrefs.GetBool(Prefix + "AllowGeneration", s.AllowGeneration);
            s.StayNear = EditorPrefs.GetFloat(Prefix + "StayNear", s.StayNear);
            s.AssetPath = EditorPrefs.GetString(Prefix + "AssetPath", s.AssetPath);
            return s;
        }

        public void Save()
        {
            EditorPrefs.SetString(Prefix + "NodePath", NodePath);
            EditorPrefs.SetString(Prefix + "CliPath", CliPath);
            EditorPrefs.SetString(Prefix + "ProjectDir", ProjectDir);
            EditorPrefs.SetInt(Prefix + "Port", Port);
            EditorPrefs.SetInt(Prefix + "TrainSteps", TrainSteps);
            EditorPrefs.SetInt(Prefix + "SuggestCount", SuggestCount);
            EditorPrefs.SetBool(Prefix + "AllowGeneration", AllowGeneration);
            EditorPrefs.SetFloat(Prefix + "StayNear", StayNear);
            EditorPrefs.SetString(Prefix + "AssetPath", AssetPath);
        }

        public SidecarLaunchSettings ToLaunchSettings()
        {
            return new SidecarLaunchSettings { NodePath = NodePath, CliPath = CliPath, ProjectDir = ProjectDir, Port = Port };
        }
    }
}
