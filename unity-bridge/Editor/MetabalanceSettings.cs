using System;
using UnityEditor;
using UnityEngine;

namespace Metabalance.Editor
{
    /// <summary>What the team shares: kept in ProjectSettings/, under version control.</summary>
    [Serializable]
    public sealed class TeamSettings
    {
        public string AssetPath = "";
        public int TrainSteps = 500;
        public int SuggestCount = 5;
        public bool AllowGeneration;
        /// <summary>How strongly balancing prefers small changes to the asset (the sidecar's default).</summary>
        public float StayNear = 2f;
        public bool ImportedEditorPrefs;
    }

    /// <summary>What differs per user and machine (paths, the port): kept in UserSettings/, which
    /// version control ignores.</summary>
    [Serializable]
    public sealed class UserSettings
    {
        public string NodePath = "node";
        public string CliPath = "";
        public string ProjectDir = "";
        public int Port;
        public bool ImportedEditorPrefs;
    }

    [FilePath("ProjectSettings/Metabalance.asset", FilePathAttribute.Location.ProjectFolder)]
    public sealed class MetabalanceTeamSettingsFile : ScriptableSingleton<MetabalanceTeamSettingsFile>
    {
        [SerializeField] TeamSettings values = new TeamSettings();
        public TeamSettings Values { get { return values; } }
        public void Save() { Save(true); }
    }

    // Location.PreferencesFolder would be per machine, shared by every project: a project folder path does not belong there.
    [FilePath("UserSettings/Metabalance.asset", FilePathAttribute.Location.ProjectFolder)]
    public sealed class MetabalanceUserSettingsFile : ScriptableSingleton<MetabalanceUserSettingsFile>
    {
        [SerializeField] UserSettings values = new UserSettings();
        public UserSettings Values { get { return values; } }
        public void Save() { Save(true); }
    }

    /// <summary>The settings the window, the controller and batch mode read: the team's and this
    /// user's, each stored in its file of this Unity project. Tests make their own with <c>new</c>,
    /// never touching the project's files.</summary>
    public sealed class MetabalanceSettings
    {
        public MetabalanceSettings() : this(new TeamSettings(), new UserSettings()) { }

        public MetabalanceSettings(TeamSettings team, UserSettings user)
        {
            Team = team;
            User = user;
        }

        public TeamSettings Team { get; }
        public UserSettings User { get; }

        public string AssetPath { get { return Team.AssetPath; } set { Team.AssetPath = value; } }
        public int TrainSteps { get { return Team.TrainSteps; } set { Team.TrainSteps = value; } }
        public int SuggestCount { get { return Team.SuggestCount; } set { Team.SuggestCount = value; } }
        public bool AllowGeneration { get { return Team.AllowGeneration; } set { Team.AllowGeneration = value; } }
        public float StayNear { get { return Team.StayNear; } set { Team.StayNear = value; } }
        public string NodePath { get { return User.NodePath; } set { User.NodePath = value; } }
        public string CliPath { get { return User.CliPath; } set { User.CliPath = value; } }
        public string ProjectDir { get { return User.ProjectDir; } set { User.ProjectDir = value; } }
        public int Port { get { return User.Port; } set { User.Port = value; } }

        /// <summary>This Unity project's settings (what older versions kept in EditorPrefs imported once).</summary>
        public static MetabalanceSettings Load()
        {
            var settings = new MetabalanceSettings(MetabalanceTeamSettingsFile.instance.Values, MetabalanceUserSettingsFile.instance.Values);
            if (EditorPrefsImport.Import(settings, EditorPrefsImport.LegacyPrefix)) SaveProjectFiles();
            return settings;
        }

        /// <summary>Writes ProjectSettings/Metabalance.asset and UserSettings/Metabalance.asset.</summary>
        public static void SaveProjectFiles()
        {
            MetabalanceTeamSettingsFile.instance.Save();
            MetabalanceUserSettingsFile.instance.Save();
        }

        public SidecarLaunchSettings ToLaunchSettings()
        {
            return new SidecarLaunchSettings { NodePath = NodePath, CliPath = CliPath, ProjectDir = ProjectDir, Port = Port };
        }
    }

    /// <summary>Older versions kept the settings in EditorPrefs, which every project on the machine
    /// shares. Each project imports them once, the team's and the user's part apart (a teammate's clone
    /// brings the team's, already imported, but still needs their own paths). The keys stay: other
    /// projects on the machine import them too.</summary>
    public static class EditorPrefsImport
    {
        public const string LegacyPrefix = "Metabalance.";

        /// <summary>Copies the keys under prefix that exist into the parts not imported yet; true when a part changed (save it).</summary>
        public static bool Import(MetabalanceSettings settings, string prefix)
        {
            var changed = false;
            var team = settings.Team;
            if (!team.ImportedEditorPrefs)
            {
                team.AssetPath = EditorPrefs.GetString(prefix + "AssetPath", team.AssetPath);
                team.TrainSteps = EditorPrefs.GetInt(prefix + "TrainSteps", team.TrainSteps);
                team.SuggestCount = EditorPrefs.GetInt(prefix + "SuggestCount", team.SuggestCount);
                team.AllowGeneration = EditorPrefs.GetBool(prefix + "AllowGeneration", team.AllowGeneration);
                team.StayNear = EditorPrefs.GetFloat(prefix + "StayNear", team.StayNear);
                team.ImportedEditorPrefs = changed = true;
            }
            var user = settings.User;
            if (!user.ImportedEditorPrefs)
            {
                user.NodePath = EditorPrefs.GetString(prefix + "NodePath", user.NodePath);
                user.CliPath = EditorPrefs.GetString(prefix + "CliPath", user.CliPath);
                user.ProjectDir = EditorPrefs.GetString(prefix + "ProjectDir", user.ProjectDir);
                user.Port = EditorPrefs.GetInt(prefix + "Port", user.Port);
                user.ImportedEditorPrefs = changed = true;
            }
            return changed;
        }
    }
}
