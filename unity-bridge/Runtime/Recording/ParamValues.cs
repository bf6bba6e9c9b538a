using System;
using System.Collections.Generic;
using System.Globalization;

namespace Metabalance
{
    /// <summary>Converts C# values to the protocol's param values (number, bool or string) and back.</summary>
    public static class ParamValues
    {
        /// <summary>Enums become their name, integers and floats a double or long, bools and strings stay.</summary>
        public static object ToWire(object value)
        {
            if (value == null) throw new ArgumentNullException("value");
            if (value is Enum) return value.ToString();
            if (value is bool || value is string || value is double || value is long) return value;
            if (value is float) return (double)(float)value;
            if (value is int || value is short || value is byte || value is sbyte || value is ushort || value is uint) return Convert.ToInt64(value, CultureInfo.InvariantCulture);
            if (value is decimal || value is ulong) return Convert.ToDouble(value, CultureInfo.InvariantCulture);
            throw new ArgumentException("a param value must be a number, bool, string or enum, not " + value.GetType().Name);
        }

        public static Dictionary<string, object> ToWire(IDictionary<string, object> values)
        {
            var wire = new Dictionary<string, object>();
            if (values == null) return wire;
            foreach (var kv in values) wire[kv.Key] = ToWire(kv.Value);
            return wire;
        }

        /// <summary>Converts a value from the sidecar (long, double, bool or string) to a field's type.</summary>
        public static object FromWire(object value, Type target)
        {
            if (value == null) throw new ArgumentNullException("value");
            if (target.IsEnum)
            {
                var name = Convert.ToString(value, CultureInfo.InvariantCulture);
                if (!Enum.IsDefined(target, name)) throw new ArgumentException("'" + name + "' is not a " + target.Name);
                return Enum.Parse(target, name);
            }
            if (target == typeof(bool)) return Convert.ToBoolean(value, CultureInfo.InvariantCulture);
            if (target == typeof(int)) return (int)Math.Round(Convert.ToDouble(value, CultureInfo.InvariantCulture));
            if (target == typeof(float)) return (float)Convert.ToDouble(value, CultureInfo.InvariantCulture);
            if (target == typeof(double)) return Convert.ToDouble(value, CultureInfo.InvariantCulture);
            if (target == typeof(string)) return Convert.ToString(value, CultureInfo.InvariantCulture);
            throw new ArgumentException("cannot convert a param value to " + target.Name);
        }

        public static string Format(object value)
        {
            if (value is double) return ((double)value).ToString("G4", CultureInfo.InvariantCulture);
            if (value is float) return ((float)value).ToString("G4", CultureInfo.InvariantCulture);
            return Convert.ToString(value, CultureInfo.InvariantCulture);
        }
    }
}
