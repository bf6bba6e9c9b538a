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
        // Snapshots of every instance field, by undo group, so PerformUndo can restore what RecordObject saw.
        sealed class Entry
        {
            public int Group;
            public Object Target;
            public Dictionary<FieldInfo, object> Snapshot;
        }

        static readonly List<Entry> history = new List<Entry>();
        static readonly Dictionary<int, string> groupNames = new Dictionary<int, string>();
        static int currentGroup;

        public delegate void UndoRedoCallback();
        public static UndoRedoCallback undoRedoPerformed;

        public static void RecordObject(Object objectToUndo, string name)
        {
            var snapshot = new Dictionary<FieldInfo, object>();
            for (var t = objectToUndo.GetType(); t != null && t != typeof(Object); t = t.BaseType)
                foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    snapshot[f] = f.GetValue(objectToUndo);
            history.Add(new Entry { Group = currentGroup, Target = objectToUndo, Snapshot = snapshot });
            if (!groupNames.ContainsKey(currentGroup)) groupNames[currentGroup] = name;
        }

        /// <summary>In Unity every input event starts a group; here a test starts one explicitly.</summary>
        public static void IncrementCurrentGroup() { currentGroup++; }
        public static int GetCurrentGroup() { return currentGroup; }
        public static void SetCurrentGroupName(string name) { groupNames[currentGroup] = name; }
        public static string GetCurrentGroupName() { string name; return groupNames.TryGetValue(currentGroup, out name) ? name : ""; }

        public static void CollapseUndoOperations(int groupIndex)
        {
            foreach (var e in history) if (e.Group > groupIndex) e.Group = groupIndex;
        }

        /// <summary>Reverts the newest group, every object recorded in it.</summary>
        public static void PerformUndo()
        {
            if (history.Count == 0) return;
            var group = history[history.Count - 1].Group;
            for (var i = history.Count - 1; i >= 0 && history[i].Group == group; i--)
            {
                foreach (var kv in history[i].Snapshot) kv.Key.SetValue(history[i].Target, kv.Value);
                history.RemoveAt(i);
            }
            if (undoRedoPerformed != null) undoRedoPerformed();
        }
    }

    public sealed class Selection
    {
        public static Object[] objects { get; set; }
    }

    public enum SerializedPropertyType { Generic = -1, Integer = 0, Boolean = 1, Float = 2, String = 3, Enum = 7 }

    /// <summary>Edits serialized fields of one or more objects; ApplyModifiedProperties writes them with Undo
    /// and marks the objects dirty, as Unity's does.</summary>
    public class SerializedObject : IDisposable
    {
        readonly Object[] targets;
        readonly List<SerializedProperty> modified = new List<SerializedProperty>();

        public SerializedObject(Object obj) : this(new[] { obj }) { }
        public SerializedObject(Object[] objs) { targets = objs; }

        public Object targetObject { get { return targets[0]; } }
        public Object[] targetObjects { get { return targets; } }
        public bool isEditingMultipleObjects { get { return targets.Length > 1; } }

        public SerializedProperty FindProperty(string propertyPath)
        {
            var field = targets[0].GetType().GetField(propertyPath, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            if (field == null || (!field.IsPublic && !Attribute.IsDefined(field, typeof(SerializeField))) || field.IsNotSerialized) return null;
            return new SerializedProperty(this, field);
        }

        public bool ApplyModifiedProperties()
        {
            if (modified.Count == 0) return false;
            foreach (var target in targets)
            {
                Undo.RecordObject(target, "Modified Properties");
                foreach (var p in modified) p.Field.SetValue(target, p.Pending);
                EditorUtility.SetDirty(target);
            }
            modified.Clear();
            return true;
        }

        public void Update() { modified.Clear(); }
        public void Dispose() { }

        internal void Modify(SerializedProperty property)
        {
            if (!modified.Contains(property)) modified.Add(property);
        }
    }

    public class SerializedProperty : IDisposable
    {
        internal readonly FieldInfo Field;
        internal object Pending;
        readonly SerializedObject owner;

        internal SerializedProperty(SerializedObject owner, FieldInfo field)
        {
            this.owner = owner;
            Field = field;
            Pending = field.GetValue(owner.targetObject);
        }

        public SerializedObject serializedObject { get { return owner; } }
        public string name { get { return Field.Name; } }
        public string propertyPath { get { return Field.Name; } }

        public SerializedPropertyType propertyType
        {
            get
            {
                var t = Field.FieldType;
                if (t == typeof(int)) return SerializedPropertyType.Integer;
                if (t == typeof(bool)) return SerializedPropertyType.Boolean;
                if (t == typeof(float)) return SerializedPropertyType.Float;
                if (t == typeof(string)) return SerializedPropertyType.String;
                return t.IsEnum ? SerializedPropertyType.Enum : SerializedPropertyType.Generic;
            }
        }

        public bool hasMultipleDifferentValues
        {
            get
            {
                foreach (var target in owner.targetObjects)
                    if (!Equals(Field.GetValue(target), Field.GetValue(owner.targetObject))) return true;
                return false;
            }
        }

        public float floatValue { get { return (float)Pending; } set { Set(value); } }
        public int intValue { get { return (int)Pending; } set { Set(value); } }
        public bool boolValue { get { return (bool)Pending; } set { Set(value); } }
        public string[] enumNames { get { return Enum.GetNames(Field.FieldType); } }
        public int enumValueIndex
        {
            get { return Array.IndexOf(enumNames, Pending.ToString()); }
            set { Set(Enum.Parse(Field.FieldType, enumNames[value])); }
        }

        public void Dispose() { }

        void Set(object value)
        {
            Pending = value;
            owner.Modify(this);
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
        public static void BeginChangeCheck() { }
        public static bool EndChangeCheck() { return false; }
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
        public static int Popup(int selectedIndex, string[] displayedOptions, params GUILayoutOption[] options) { return selectedIndex; }
        public static double DelayedDoubleField(double value, params GUILayoutOption[] options) { return value; }
        // Unity's overload without a GUIStyle (the docs write it as a default argument: style = EditorStyles.foldout).
        public static bool Foldout(bool foldout, string content) { return foldout; }
        public static Object ObjectField(string label, Object obj, Type objType, bool allowSceneObjects, params GUILayoutOption[] options) { return obj; }
        public static void HelpBox(string message, MessageType type) { }
        public static string TextArea(string text, params GUILayoutOption[] options) { return text; }
        public static Rect BeginHorizontal(params GUILayoutOption[] options) { return new Rect(); }
        public static void EndHorizontal() { }
        public static Vector2 BeginScrollView(Vector2 scrollPosition, params GUILayoutOption[] options) { return scrollPosition; }
        public static void EndScrollView() { }
    }
}
