using UnityEditor;
using UnityEngine;

namespace Metabalance.Editor
{
    /// <summary>Edit › Project Settings › Metabalance: the team's settings and this user's paths.</summary>
    public static class MetabalanceSettingsProvider
    {
        public const string SettingsPath = "Project/Metabalance";

        [SettingsProvider]
        public static SettingsProvider Create()
        {
            return new SettingsProvider(SettingsPath, SettingsScope.Project, new[] { "metabalance", "balancing", "sidecar", "node" })
            {
                guiHandler = search => Draw(MetabalanceSettings.Load()),
            };
        }

        static void Draw(MetabalanceSettings s)
        {
            EditorGUI.BeginChangeCheck();
            GUILayout.Label("Shared with the team (ProjectSettings/Metabalance.asset)");
            s.TrainSteps = EditorGUILayout.IntField("Training steps", s.TrainSteps);
            s.SuggestCount = EditorGUILayout.IntField("Suggestions", s.SuggestCount);
            s.AllowGeneration = EditorGUILayout.Toggle("Balance generation params", s.AllowGeneration);
            s.StayNear = EditorGUILayout.Slider("Stay near current values", s.StayNear, 0f, 50f);
            GUILayout.Space(8);
            GUILayout.Label("This user only (UserSettings/Metabalance.asset)");
            EditorGUILayout.BeginHorizontal();
            s.ProjectDir = EditorGUILayout.TextField("Balancing project folder", s.ProjectDir);
            if (GUILayout.Button("…", GUILayout.Width(24)))
            {
                var picked = EditorUtility.OpenFolderPanel("Balancing project folder", s.ProjectDir, "");
                if (picked.Length > 0) s.ProjectDir = picked;
            }
            EditorGUILayout.EndHorizontal();
            s.NodePath = EditorGUILayout.TextField("Node", s.NodePath);
            s.CliPath = EditorGUILayout.TextField("CLI (main.js, or empty)", s.CliPath);
            s.Port = EditorGUILayout.IntField("Port (0 = any)", s.Port);
            if (EditorGUI.EndChangeCheck()) MetabalanceSettings.SaveProjectFiles();
            GUILayout.Space(8);
            GUILayout.Label("This machine (PlayerPrefs): who the recorded playtests are from");
            EditorGUI.BeginChangeCheck();
            var tester = EditorGUILayout.TextField("Tester id", TesterIdentity.Current);
            if (EditorGUI.EndChangeCheck()) TesterIdentity.Current = tester;
        }
    }
}
