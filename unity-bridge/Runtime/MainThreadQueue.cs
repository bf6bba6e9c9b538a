using System;
using System.Collections.Concurrent;

namespace Metabalance
{
    /// <summary>Callbacks waiting for Unity's main thread. Background threads Post; the main thread
    /// (EditorApplication.update, a MonoBehaviour's Update, or a test) calls Pump.</summary>
    public sealed class MainThreadQueue
    {
        readonly ConcurrentQueue<Action> actions = new ConcurrentQueue<Action>();

        /// <summary>Raised (on the pumping thread) when a queued callback throws; the pump goes on.</summary>
        public event Action<Exception> CallbackFailed;

        public int Count { get { return actions.Count; } }

        public void Post(Action action)
        {
            if (action == null) throw new ArgumentNullException("action");
            actions.Enqueue(action);
        }

        /// <summary>Runs up to maxActions queued callbacks on the calling thread; returns how many ran.</summary>
        public int Pump(int maxActions = int.MaxValue)
        {
            var ran = 0;
            Action action;
            while (ran < maxActions && actions.TryDequeue(out action))
            {
                ran++;
                try
                {
                    action();
                }
                catch (Exception e)
                {
                    var handler = CallbackFailed;
                    if (handler == null) throw;
                    handler(e);
                }
            }
            return ran;
        }
    }
}
