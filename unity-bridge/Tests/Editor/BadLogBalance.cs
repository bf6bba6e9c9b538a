using Metabalance;
using UnityEngine;

namespace Metabalance.Tests
{
    /// <summary>A log-scale param whose range starts at 0: the reflection must refuse it.</summary>
    public class BadLogBalance : ScriptableObject
    {
        [Range(0f, 10f), MetabalanceParam(LogScale = true)] public float speed = 1f;
    }
}
