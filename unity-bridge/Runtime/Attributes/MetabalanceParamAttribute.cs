using System;

namespace Metabalance
{
    /// <summary>Optional details for a balance-asset field that becomes a parameter
    /// (the field's [Range], [Tooltip] and type give the rest).</summary>
    [AttributeUsage(AttributeTargets.Field, AllowMultiple = false)]
    public sealed class MetabalanceParamAttribute : Attribute
    {
        /// <summary>The parameter's name in project.json; the field name when null.</summary>
        public string Name { get; set; }
        /// <summary>A level-generation parameter (room count, trap density ...) rather than a balance one.</summary>
        public bool Generation { get; set; }
        /// <summary>Search the range on a log scale (needs a positive minimum).</summary>
        public bool LogScale { get; set; }
        /// <summary>Keep the current value when balancing.</summary>
        public bool Locked { get; set; }
    }

    /// <summary>Keeps a field that would otherwise qualify out of the parameter space.</summary>
    [AttributeUsage(AttributeTargets.Field, AllowMultiple = false)]
    public sealed class MetabalanceIgnoreAttribute : Attribute { }
}
