using Metabalance;
using UnityEngine;

namespace CryptRun
{
    public enum Archetype { Melee, Ranged, Mixed }

    /// <summary>The sample game's balance asset. Every [Range] float/int, bool and enum field is a
    /// parameter metabalance can tune; [Tooltip] becomes its description in project.json.</summary>
    [CreateAssetMenu(menuName = "Crypt Run/Balance", fileName = "CryptRunBalance")]
    public sealed class CryptRunBalance : ScriptableObject
    {
        [Tooltip("Hit points of a standard enemy.")]
        [Range(20f, 200f), MetabalanceParam(LogScale = true)]
        public float enemyHealth = 80f;

        [Tooltip("Enemies spawned per minute.")]
        [Range(0.2f, 3f)]
        public float spawnRate = 1f;

        [Tooltip("Chance that a chest holds a potion.")]
        [Range(0f, 1f)]
        public float potionRate = 0.3f;

        [Tooltip("Rooms the generator lays out.")]
        [Range(3, 12), MetabalanceParam(Generation = true)]
        public int roomCount = 6;

        [Tooltip("Whether the level ends with a boss.")]
        [MetabalanceParam(Generation = true)]
        public bool bossEnabled = true;

        [Tooltip("Which enemies populate the level.")]
        [MetabalanceParam(Generation = true)]
        public Archetype archetype = Archetype.Mixed;

        [Tooltip("Not a balancing knob: the art team's colour grade.")]
        [MetabalanceIgnore]
        public bool nightMode;
    }
}
