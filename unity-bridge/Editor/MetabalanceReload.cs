using UnityEditor;

namespace Metabalance.Editor
{
    /// <summary>
    /// Runs after every domain reload (script recompiles, entering play mode): points game code
    /// (MetabalanceSession, used by PlaytestRecorder) back at the running sidecar, and stops the
    /// sidecar when the editor quits so no orphan keeps the project's store locked.
    /// </summary>
    [InitializeOnLoad]
    public static class MetabalanceReload
    {
        static MetabalanceReload()
        {
            var listening = SessionState.GetString(MetabalanceController.SessionListening, "");
            if (listening.Length > 0)
            {
                var info = Json.Deserialize<ListeningInfo>(listening);
                MetabalanceSession.EndpointProvider = () => SidecarLauncher.EndpointOf(info);
            }
            EditorApplication.quitting += StopSidecarOnQuit;
        }

        static void StopSidecarOnQuit()
        {
            var listening = SessionState.GetString(MetabalanceController.SessionListening, "");
            if (listening.Length == 0) return;
            var launcher = new SidecarLauncher();
            if (launcher.Attach(Json.Deserialize<ListeningInfo>(listening))) launcher.Stop();
        }
    }
}
