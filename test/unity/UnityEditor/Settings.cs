// Test-only stand-ins for editor settings storage and the Settings window; signatures as in the Unity Scripting API (2021.3).
using System;
using System.Collections.Generic;
using UnityEngine;

namespace UnityEditor
{
    [AttributeUsage(AttributeTargets.Class)]
    public class FilePathAttribute : Attribute
    {
        public enum Location { PreferencesFolder, ProjectFolder }

        internal readonly string filepath;
        public FilePathAttribute(string relativePath, FilePathAttribute.Location location) { filepath = relativePath; }
    }

    /// <summary>Unity loads the instance from its FilePath file and Save writes it there. Here the
    /// instance lives in memory and Save fails: a test must never write the project's settings files.</summary>
    public class ScriptableSingleton<T> : ScriptableObject where T : ScriptableObject
    {
        static T s_Instance;

        protected ScriptableSingleton()
        {
            if (s_Instance != null) Debug.LogError("ScriptableSingleton already exists. Did you query the singleton in a constructor?");
            else s_Instance = this as T;
        }

        public static T instance
        {
            get
            {
                if (s_Instance == null) CreateInstance<T>();
                return s_Instance;
            }
        }

        protected static string GetFilePath()
        {
            var attribute = (FilePathAttribute)Attribute.GetCustomAttribute(typeof(T), typeof(FilePathAttribute), true);
            return attribute != null ? attribute.filepath : "";
        }

        protected void Save(bool saveAsText)
        {
            throw new InvalidOperationException("test stand-in: a test saved " + typeof(T).Name + " to the project's " + GetFilePath());
        }
    }

    public enum SettingsScope { User = 0, Project = 1 }

    [AttributeUsage(AttributeTargets.Method)]
    public sealed class SettingsProviderAttribute : Attribute { }

    public class SettingsProvider
    {
        public Action<string> guiHandler;
        public SettingsProvider(string path, SettingsScope scopes, IEnumerable<string> keywords)
        {
            settingsPath = path;
            scope = scopes;
            this.keywords = keywords;
        }
        public string settingsPath { get; }
        public SettingsScope scope { get; }
        public IEnumerable<string> keywords { get; set; }
        public virtual void OnGUI(string searchContext) { if (guiHandler != null) guiHandler(searchContext); }
    }

    public sealed class SettingsService
    {
        public static EditorWindow OpenProjectSettings(string settingsPath) { return null; }
    }
}
