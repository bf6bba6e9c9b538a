using System;
using System.Collections.Generic;
using System.Globalization;
using System.Reflection;
using UnityEditor;
using UnityEngine;
using Object = UnityEngine.Object;

namespace Metabalance.Editor
{
    /// <summary>
    /// The game's balance asset as a parameter space: every serialized field of a ScriptableObject
    /// that is a float or int with [Range], a bool or an enum becomes a param ([Tooltip] becomes its
    /// description, [MetabalanceParam] adds group, scale, lock and name). Other fields are ignored.
    /// </summary>
    public static class BalanceAsset
    {
        public sealed class Field
        {
            public readonly FieldInfo Info;
            public readonly string Name;
            public readonly RangeAttribute Range;
            public readonly MetabalanceParamAttribute Options;
            public Field(FieldInfo info, string name, RangeAttribute range, MetabalanceParamAttribute options)
            {
                Info = info; Name = name; Range = range; Options = options;
            }
        }

        /// <summary>The fields that become params, in declaration order (base class first).</summary>
        public static List<Field> Fields(Type assetType)
        {
            var chain = new List<Type>();
            for (var t = assetType; t != null && t != typeof(ScriptableObject) && t != typeof(Object); t = t.BaseType) chain.Insert(0, t);
            var fields = new List<Field>();
            foreach (var type in chain)
            {
                foreach (var f in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (!IsSerialized(f) || Has<MetabalanceIgnoreAttribute>(f)) continue;
                    var range = Attr<RangeAttribute>(f);
                    var numeric = f.FieldType == typeof(float) || f.FieldType == typeof(int);
                    if (numeric ? range == null : !(f.FieldType == typeof(bool) || f.FieldType.IsEnum)) continue;
                    var options = Attr<MetabalanceParamAttribute>(f);
                    var name = options != null && !string.IsNullOrEmpty(options.Name) ? options.Name : f.Name;
                    fields.Add(new Field(f, name, range, options));
                }
            }
            return fields;
        }

        /// <summary>The params of project.json for this asset; defaults are the asset's current values.</summary>
        public static List<ParamDef> Describe(ScriptableObject asset)
        {
            var defs = new List<ParamDef>();
            foreach (var field in Fields(asset.GetType()))
            {
                var value = field.Info.GetValue(asset);
                var tooltip = Attr<TooltipAttribute>(field.Info);
                var def = new ParamDef
                {
                    Name = field.Name,
                    Description = tooltip != null ? tooltip.tooltip : null,
                    Group = field.Options != null && field.Options.Generation ? "generation" : null,
                    Locked = field.Options != null && field.Options.Locked ? (bool?)true : null,
                };
                var type = field.Info.FieldType;
                if (type == typeof(float) || type == typeof(int))
                {
                    def.Type = type == typeof(int) ? ParamTypes.Int : ParamTypes.Float;
                    def.Min = field.Range.min;
                    def.Max = field.Range.max;
                    var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                    def.Default = Math.Min(field.Range.max, Math.Max(field.Range.min, number));
                    if (field.Options != null && field.Options.LogScale)
                    {
                        if (field.Range.min <= 0) throw new ArgumentException(asset.GetType().Name + "." + field.Info.Name + ": a log-scale param needs a [Range] minimum above 0");
                        def.Scale = "log";
                    }
                }
                else if (type == typeof(bool))
                {
                    def.Type = ParamTypes.Bool;
                    def.Default = value;
                }
                else
                {
                    def.Type = ParamTypes.Choice;
                    def.Choices = new List<string>(Enum.GetNames(type));
                    def.Default = value.ToString();
                }
                defs.Add(def);
            }
            return defs;
        }

        /// <summary>The asset's current values as protocol param values.</summary>
        public static Dictionary<string, object> ReadValues(ScriptableObject asset)
        {
            var values = new Dictionary<string, object>();
            foreach (var field in Fields(asset.GetType())) values[field.Name] = ParamValues.ToWire(field.Info.GetValue(asset));
            return values;
        }

        /// <summary>Writes param values into one or more assets of the same type as one Undo step,
        /// through SerializedObject (which records Undo, marks the assets dirty and keeps prefab
        /// overrides). Values for names the assets do not have (e.g. another asset's params) are
        /// skipped. Returns the names whose value changed in any of the assets.</summary>
        public static List<string> Apply(IList<ScriptableObject> assets, IDictionary<string, object> values, string undoName)
        {
            var changed = new List<string>();
            if (assets.Count == 0) return changed;
            var type = assets[0].GetType();
            foreach (var asset in assets)
                if (asset.GetType() != type) throw new ArgumentException("apply to assets of one type: " + asset.name + " is a " + asset.GetType().Name + ", not a " + type.Name);
            Undo.SetCurrentGroupName(undoName);
            var group = Undo.GetCurrentGroup();
            using (var serialized = new SerializedObject(new List<Object>(assets).ToArray()))
            {
                foreach (var field in Fields(type))
                {
                    object wire;
                    if (!values.TryGetValue(field.Name, out wire)) continue;
                    var value = ParamValues.FromWire(wire, field.Info.FieldType);
                    if (field.Range != null) value = ClampToRange(value, field.Range);
                    using (var property = serialized.FindProperty(field.Info.Name))
                    {
                        if (!property.hasMultipleDifferentValues && Equals(Read(property, field.Info.FieldType), value)) continue;
                        Write(property, value);
                    }
                    changed.Add(field.Name);
                }
                serialized.ApplyModifiedProperties();
            }
            Undo.CollapseUndoOperations(group);
            return changed;
        }

        static object Read(SerializedProperty property, Type type)
        {
            if (type == typeof(float)) return property.floatValue;
            if (type == typeof(int)) return property.intValue;
            if (type == typeof(bool)) return property.boolValue;
            return Enum.Parse(type, property.enumNames[property.enumValueIndex]);
        }

        static void Write(SerializedProperty property, object value)
        {
            if (value is float) property.floatValue = (float)value;
            else if (value is int) property.intValue = (int)value;
            else if (value is bool) property.boolValue = (bool)value;
            else property.enumValueIndex = Array.IndexOf(property.enumNames, value.ToString());
        }

        /// <summary>project with the asset's params replacing same-named ones (others kept, new ones appended).</summary>
        public static ProjectFile MergeParams(ProjectFile project, List<ParamDef> fromAsset)
        {
            var merged = new List<ParamDef>();
            var byName = new Dictionary<string, ParamDef>();
            foreach (var p in fromAsset) byName[p.Name] = p;
            foreach (var p in project.Params)
            {
                ParamDef replacement;
                if (byName.TryGetValue(p.Name, out replacement))
                {
                    merged.Add(replacement);
                    byName.Remove(p.Name);
                }
                else
                {
                    merged.Add(p);
                }
            }
            foreach (var p in fromAsset) if (byName.ContainsKey(p.Name)) merged.Add(p);
            project.Params = merged;
            return project;
        }

        static object ClampToRange(object value, RangeAttribute range)
        {
            if (value is float) return Math.Min(range.max, Math.Max(range.min, (float)value));
            if (value is int) return (int)Math.Min(Math.Floor(range.max), Math.Max(Math.Ceiling(range.min), (int)value));
            return value;
        }

        static bool IsSerialized(FieldInfo f)
        {
            if (f.IsNotSerialized || f.IsInitOnly || f.IsLiteral) return false;
            return f.IsPublic || Has<SerializeField>(f);
        }

        static bool Has<T>(FieldInfo f) where T : Attribute { return Attribute.IsDefined(f, typeof(T), true); }
        static T Attr<T>(FieldInfo f) where T : Attribute { return (T)Attribute.GetCustomAttribute(f, typeof(T), true); }
    }
}
