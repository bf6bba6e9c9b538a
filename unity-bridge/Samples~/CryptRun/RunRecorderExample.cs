// The recorder talks to the sidecar over a WebSocket, which the Runtime assembly supports only in
// the editor and standalone players (no WebGL): other builds leave the recorder out.
#if UNITY_EDITOR || UNITY_STANDALONE
using System.Collections.Generic;
using System.IO;
using Metabalance;
using UnityEngine;

namespace CryptRun
{
    /// <summary>
    /// Records every finished run as a playtest. Put it on a scene object, assign the balance asset,
    /// and call <see cref="RunFinished"/> from the game's end-of-run code. Runs are spooled to disk
    /// first, so playtests recorded while the sidecar is down are sent when it is back.
    /// </summary>
    public sealed class RunRecorderExample : MonoBehaviour
    {
        public CryptRunBalance balance;
        public string levelId = "L001";

        MetabalanceClient client;
        PlaytestRecorder recorder;
        float runStarted;

        void OnEnable()
        {
            // Set by Window > Metabalance while its sidecar runs; in a build call MetabalanceSession.UseTokenFile.
            client = new MetabalanceClient(MetabalanceSession.CurrentEndpoint);
            client.ConnectAsync();
            recorder = new PlaytestRecorder(client, Path.Combine(Application.persistentDataPath, "metabalance-spool"));
        }

        void OnDisable()
        {
            recorder.Dispose();
            client.Dispose();
        }

        public void RunStarted(float now)
        {
            runStarted = now;
        }

        public void RunFinished(bool won, int deaths, float now)
        {
            var parameters = new Dictionary<string, object>
            {
                { "enemyHealth", balance.enemyHealth },
                { "spawnRate", balance.spawnRate },
                { "potionRate", balance.potionRate },
                { "roomCount", balance.roomCount },
                { "bossEnabled", balance.bossEnabled },
                { "archetype", balance.archetype },
            };
            var metrics = new Dictionary<string, double>
            {
                { "won", won ? 1 : 0 },
                { "durationSec", now - runStarted },
                { "deaths", deaths },
            };
            recorder.Record(levelId, parameters, metrics, "human");
        }
    }
}
#endif
