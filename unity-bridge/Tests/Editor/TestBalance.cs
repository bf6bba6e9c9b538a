using System;
using Metabalance;
using UnityEngine;

namespace Metabalance.Tests
{
    public enum TestArchetype { Melee, Ranged, Mixed }

    /// <summary>A balance asset exercising every rule of the reflection.</summary>
    public class TestBalance : ScriptableObject
    {
        [Tooltip("Hit points of a standard enemy.")]
        [Range(20f, 200f), MetabalanceParam(LogScale = true)]
        public float enemyHealth = 80f;

        [Range(0f, 1f)]
        public float potionRate = 0.3f;

        [Range(3, 12), MetabalanceParam(Generation = true)]
        public int roomCount = 6;

        [Tooltip("Harder enemies")]
        public bool hardMode;

        [MetabalanceParam(Name = "enemyMix", Generation = true)]
        public TestArchetype archetype = TestArchetype.Mixed;

        [SerializeField, Range(1f, 5f), MetabalanceParam(Locked = true)]
        float lootMultiplier = 2f;

        public float noRange = 3f;
        [NonSerialized] public bool transientFlag;
        [MetabalanceIgnore] public bool nightMode;
        bool privateFlag;
        public string label = "x";

        public float LootMultiplier { get { return lootMultiplier; } }
        public bool PrivateFlag { get { return privateFlag; } }
    }
}
