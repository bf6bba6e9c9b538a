// Test-only stand-in for the parts of UnityEngine the bridge uses; signatures as in the Unity Scripting API.
using System;
using System.Collections.Generic;
using System.IO;

namespace UnityEngine
{
    [Flags]
    public enum HideFlags
    {
        None = 0,
        HideInHierarchy = 1,
        HideInInspector = 2,
        DontSaveInEditor = 4,
        NotEditable = 8,
        DontSaveInBuild = 16,
        DontUnloadUnusedAsset = 32,
        DontSave = 52,
        HideAndDontSave = 61,
    }

    public class Object
    {
        public string name { get; set; }
        public HideFlags hideFlags { get; set; }
        public static void DestroyImmediate(Object obj) { }
        public override string ToString() { return name ?? GetType().Name; }
    }

    public class ScriptableObject : Object
    {
        public static T CreateInstance<T>() where T : ScriptableObject { return (T)CreateInstance(typeof(T)); }
        public static ScriptableObject CreateInstance(Type type) { return (ScriptableObject)Activator.CreateInstance(type, true); }
    }

    public class Component : Object { }
    public class Behaviour : Component { public bool enabled { get; set; } }
    public class MonoBehaviour : Behaviour { }

    public abstract class PropertyAttribute : Attribute { public int order { get; set; } }

    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
    public sealed class RangeAttribute : PropertyAttribute
    {
        public readonly float min;
        public readonly float max;
        public RangeAttribute(float min, float max) { this.min = min; this.max = max; }
    }

    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
    public class TooltipAttribute : PropertyAttribute
    {
        public readonly string tooltip;
        public TooltipAttribute(string tooltip) { this.tooltip = tooltip; }
    }

    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = true)]
    public class HeaderAttribute : PropertyAttribute
    {
        public readonly string header;
        public HeaderAttribute(string header) { this.header = header; }
    }

    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
    public sealed class SerializeField : Attribute { }

    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class CreateAssetMenuAttribute : Attribute
    {
        public string menuName { get; set; }
        public string fileName { get; set; }
        public int order { get; set; }
    }

    public static class Debug
    {
        public static void Log(object message) { Console.Error.WriteLine(message); }
        public static void LogWarning(object message) { Console.Error.WriteLine("warning: " + message); }
        public static void LogError(object message) { Console.Error.WriteLine("error: " + message); }
        public static void LogException(Exception exception) { Console.Error.WriteLine(exception); }
    }

    /// <summary>Per machine and project in Unity; a dictionary here.</summary>
    public class PlayerPrefs
    {
        static readonly Dictionary<string, object> store = new Dictionary<string, object>();
        public static string GetString(string key, string defaultValue) { object v; return store.TryGetValue(key, out v) && v is string ? (string)v : defaultValue; }
        public static string GetString(string key) { return GetString(key, ""); }
        public static void SetString(string key, string value) { store[key] = value; }
        public static bool HasKey(string key) { return store.ContainsKey(key); }
        public static void DeleteKey(string key) { store.Remove(key); }
        public static void Save() { }
    }

    public static class Application
    {
        public static string persistentDataPath { get { return Path.Combine(Path.GetTempPath(), "unity-persistent"); } }
        public static string dataPath { get { return Path.Combine(Directory.GetCurrentDirectory(), "Assets"); } }
        public static bool isPlaying { get { return false; } }
        public static bool isBatchMode { get { return true; } }
    }

    public struct Rect
    {
        public float x; public float y; public float width; public float height;
        public Rect(float x, float y, float width, float height) { this.x = x; this.y = y; this.width = width; this.height = height; }
    }

    public struct Vector2
    {
        public float x; public float y;
        public Vector2(float x, float y) { this.x = x; this.y = y; }
    }

    public class GUIContent
    {
        public string text { get; set; }
        public GUIContent(string text) { this.text = text; }
    }

    public sealed class GUILayoutOption { }

    public static class GUI
    {
        public static bool enabled { get; set; }
    }

    public static class GUILayout
    {
        public static void Label(string text, params GUILayoutOption[] options) { }
        public static bool Button(string text, params GUILayoutOption[] options) { return false; }
        public static GUILayoutOption Width(float width) { return new GUILayoutOption(); }
        public static GUILayoutOption Height(float height) { return new GUILayoutOption(); }
        public static void FlexibleSpace() { }
        public static void Space(float pixels) { }
    }

    public sealed class GUILayoutUtility
    {
        public static Rect GetRect(float minWidth, float maxWidth, float minHeight, float maxHeight, params GUILayoutOption[] options)
        {
            return new Rect(0, 0, minWidth, minHeight);
        }
    }
}
