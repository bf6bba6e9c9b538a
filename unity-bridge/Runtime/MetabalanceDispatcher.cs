using UnityEngine;

namespace Metabalance
{
    /// <summary>Pumps a MainThreadQueue from a scene object's Update, for client callbacks in play mode.</summary>
    public sealed class MetabalanceDispatcher : MonoBehaviour
    {
        public readonly MainThreadQueue Queue = new MainThreadQueue();

        void Update()
        {
            Queue.Pump();
        }
    }
}
