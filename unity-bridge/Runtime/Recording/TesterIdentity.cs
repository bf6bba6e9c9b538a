using UnityEngine;

namespace Metabalance
{
    /// <summary>
    /// Who plays on this machine: the tester id the recorder stores with every playtest, set once per
    /// machine and project (PlayerPrefs), so a designer's own runs, a QA machine's and a bot farm's can
    /// be told apart, and a project's segments (novices, experts …) can name them. Unset, it is
    /// <see cref="Fallback"/>. PlayerPrefs belongs to Unity's main thread: read it there (the recorder
    /// reads it once, when it is made).
    /// </summary>
    public static class TesterIdentity
    {
        public const string PrefsKey = "metabalance.tester";
        public const string Fallback = "unity";

        public static string Current
        {
            get
            {
                var id = PlayerPrefs.GetString(PrefsKey, "").Trim();
                return id.Length == 0 ? Fallback : id;
            }
            set
            {
                PlayerPrefs.SetString(PrefsKey, (value ?? "").Trim());
                PlayerPrefs.Save();
            }
        }
    }
}
