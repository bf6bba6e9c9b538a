// Test-only stand-in for the parts of UnityEditor the bridge uses; signatures as in the Unity Scripting API.
using System;
using System.Collections.Generic;
using System.Reflection;
using UnityEngine;
using Object = UnityEngine.Object;

namespace UnityEditor
{
    public class EditorWindow : ScriptableObject
    {
        public GUIContent titleContent { get; set; }
        public Rect position { get; set; }
        public static T GetWindow<T>(string title) where T : EditorWindow
        {
            var w = CreateInstance<T>();
            w.titleContent = new GUIContent(title);
            return w;
        }
        public void Show() { }
        public void Repaint() { }
        public void Close() { }
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public sealed class MenuItem : Attribute
    {
        public MenuItem(string itemName) { }
    }

    [AttributeUsage(AttributeTargets.Class)]
    public class InitializeOnLoadAttribute : Attribute { }

    public enum MessageType { None = 0, Info = 1, Warning = 2, Error = 3 }

    public sealed class EditorPrefs
    {
        static readonly Dictionary<string, object> store = new Dictionary<string, object>();
        static T Get<T>(string key, T defaultValue) { object v; return store.TryGetValue(key, out v) && v is T ? (T)v : defaultValue; }
        public static string GetString(string key, string defaultValue) { return Get(key, defaultValue); }
        public static void SetString(string key, string value) { store[key] = value; }
        public static int GetInt(string key, int defaultValue) { return Get(key, defaultValue); }
        public static void SetInt(string key, int value) { store[key] = value; }
        public static bool GetBool(string key, bool defaultValue) { return Get(key, defaultValue); }
        public static void SetBool(string key, bool value) { store[key] = value; }
        public static float GetFloat(string key, float defaultValue) { return Get(key, defaultValue); }
        public static void SetFloat(string key, float value) { store[key] = value; }
        public static bool HasKey(string key) { return store.ContainsKey(key); }
        public static void DeleteKey(string key) { store.Remove(key); }
        public static void DeleteAll() { store.Clear(); }
    }

    public class SessionState
    {
        static readonly Dictionary<string, object> store = new Dictionary<string, object>();
        static T Get<T>(string key, T defaultValue) { object v; return store.TryGetValue(key, out v) && v is T ? (T)v : defaultValue; }
        public static string GetString(string key, string defaultValue) { return Get(key, defaultValue); }
        public static void SetString(string key, string value) { store[key] = value; }
        public static void EraseString(string key) { store.Remove(key); }
        public static int GetInt(string key, int defaultValue) { return Get(key, defaultValue); }
        public static void SetInt(string key, int value) { store[key] = value; }
        public static void EraseInt(string key) { store.Remove(key); }
    }

    public class Undo
    {
        // Snapshots of every instance field, so PerformUndo can restore what RecordObject saw.
        static readonly Stack<KeyValuePair<Object, Dictionary<FieldInfo, object>>> history =
            new Stack<KeyValuePair<Object, Dictionary<FieldInfo, object>>>();

        public static void RecordObject(Object objectToUndo, string name)
        {
            var snapshot = new Dictionary<FieldInfo, object>();
            for (var t = objectToUndo.GetType(); t != null && t != typeof(Object); t = t.BaseType)
                foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    snapshot[f] = f.GetValue(objectToUndo);
            history.Push(new KeyValuePair<Object, Dictionary<FieldInfo, object>>(objectToUndo, snapshot));
        }

        public static void PerformUndo()
        {
            if (history.Count == 0) return;
            var entry = history.Pop();
            foreach (var kv in entry.Value) kv.Key.SetValue(entry.Key, kv.Value);
        }
    }

    public sealed class EditorUtility
    {
        static readonly HashSet<Object> dirty = new HashSet<Object>();
        public static void SetDirty(Object target) { dirty.Add(target); }
        public static bool IsDirty(Object target) { return dirty.Contains(target); }
        public static string OpenFolderPanel(string title, string folder, string defaultName) { return ""; }
    }

    public sealed class EditorApplication
    {
        public delegate void CallbackFunction();
        public static CallbackFunction update;
        public static event Action quitting;
        public static bool isCompiling { get { return false; } }
        public static void Exit(int returnValue) { Environment.Exit(returnValue); }
    }

    public static class AssemblyReloadEvents
    {
        public delegate void AssemblyReloadCallback();
        public static event AssemblyReloadCallback beforeAssemblyReload;
        public static event AssemblyReloadCallback afterAssemblyReload;
    }

    public sealed class AssetDatabase
    {
        public static string GetAssetPath(Object assetObject) { return ""; }
        public static T LoadAssetAtPath<T>(string assetPath) where T : Object { return null; }
    }

    public sealed class EditorGUI
    {
        public static void ProgressBar(Rect position, float value, string text) { }
        public static void BeginDisabledGroup(bool disabled) { }
        public static void EndDisabledGroup() { }
    }

    public sealed class EditorGUILayout
    {
        public static void LabelField(string label, params GUILayoutOption[] options) { }
        public static void LabelField(string label, string label2, params GUILayoutOption[] options) { }
        public static string TextField(string label, string text, params GUILayoutOption[] options) { return text; }
        public static int IntField(string label, int value, params GUILayoutOption[] options) { return value; }
        public static bool Toggle(string label, bool value, params GUILayoutOption[] options) { return value; }
        public static float Slider(string label, float value, float leftValue, float rightValue, params GUILayoutOption[] options) { return value; }
        public static int IntSlider(string label, int value, int leftValue, int rightValue, params GUILayoutOption[] options) { return value; }
        public static int Popup(string label, int selectedIndex, string[] displayedOptions, params GUILayoutOption[] options) { return selectedIndex; }
        public static Object ObjectField(string label, Object obj, Type objType, bool allowSceneObjects, params GUILayoutOption[] options) { return obj; }
        public static void HelpBox(string message, MessageType type) { }
        public static string TextArea(string text, params GUILayoutOption[] options) { return text; }
        public static Rect BeginHorizontal(params GUILayoutOption[] options) { return new Rect(); }
        public static void EndHorizontal() { }
        public static Vector2 BeginScrollView(Vector2 scrollPosition, params GUILayoutOption[] options) { return scrollPosition; }
        public static void EndScrollView() { }
    }
}
