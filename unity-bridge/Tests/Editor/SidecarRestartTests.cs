using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Metabalance.Tests
{
    /// <summary>Outages: the real sidecar stops and restarts under a connected client and a recording game.</summary>
    [TestFixture]
    public class SidecarRestartTests
    {
        static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
        SidecarFixture sidecar;
        MetabalanceClient client;
        MainThreadQueue queue;

        [SetUp]
        public void SetUp()
        {
            sidecar = new SidecarFixture("restart");
            sidecar.Start();
            queue = new MainThreadQueue();
            client = sidecar.NewClient(queue, new MetabalanceClientOptions
            {
                ReconnectDelayMin = TimeSpan.FromMilliseconds(100),
                ReconnectDelayMax = TimeSpan.FromMilliseconds(500),
                RequestTimeout = TimeSpan.FromSeconds(10),
            });
        }

        [TearDown]
        public void TearDown()
        {
            if (client != null) client.Dispose();
            if (sidecar != null) sidecar.Dispose();
        }

        [Test]
        public void AfterASidecarRestartTheClientReconnectsByItself()
        {
            var states = new List<ConnectionState>();
            client.StateChanged += states.Add;
            TestSupport.Run(async () =>
            {
                await client.ConnectAsync();
                var firstToken = sidecar.Endpoint().Token;
                var port = sidecar.Info.Port;
                sidecar.Stop();
                await TestSupport.PumpUntil(queue, () => states.Contains(ConnectionState.Reconnecting), Wait, "the drop to be noticed");
                await TestSupport.Throws<ConnectionLostException>(() => client.CallAsync<LevelsListResult>(Methods.LevelsList, new EmptyParams(), TimeSpan.FromMilliseconds(500)));

                sidecar.Start(port);
                Assert.AreNotEqual(firstToken, sidecar.Endpoint().Token, "a restarted sidecar has a fresh token");
                Assert.IsTrue(await client.WaitConnectedAsync(Wait), "reconnected: " + client.LastError);
                Assert.AreEqual(SidecarFixture.LevelIds.Length, (await client.LevelsListAsync()).Levels.Count);
                await TestSupport.PumpUntil(queue, () => states.Last() == ConnectionState.Connected, Wait, "the Connected event");
            });
        }

        [Test]
        public void RecordedPlaytestsSurviveAnOutageAndAreStoredExactlyOnce()
        {
            var spool = TestSupport.TempDir("recorder");
            var recorder = new PlaytestRecorder(client, spool, new PlaytestRecorderOptions { FlushInterval = TimeSpan.FromMilliseconds(200), BatchSize = 3 });
            var ids = new List<string>();
            Func<int, string> record = i => recorder.Record("L0" + (1 + i % 6),
                new Dictionary<string, object> { { "enemyHealth", 40f + i }, { "roomCount", 3 + i % 9 }, { "enemyMix", TestArchetype.Ranged } },
                new Dictionary<string, double> { { "won", i % 2 }, { "durationSec", 200 + i } });
            try
            {
                TestSupport.Run(async () =>
                {
                    await client.ConnectAsync();
                    var port = sidecar.Info.Port;
                    for (var i = 0; i < 4; i++) ids.Add(record(i));
                    await TestSupport.Until(() => recorder.Pending == 0, Wait, "the first playtests to be sent");

                    sidecar.Stop();
                    await TestSupport.Until(() => !client.IsConnected, Wait, "the outage to be noticed");
                    for (var i = 4; i < 11; i++) ids.Add(record(i));
                    await Task.Delay(600);
                    Assert.AreEqual(7, recorder.Pending, "spooled while the sidecar is down");
                    Assert.AreEqual(7, new PlaytestSpool(spool).Count, "on disk");

                    sidecar.Start(port);
                    await TestSupport.Until(() => recorder.Pending == 0, Wait, "the spool to drain after the restart");
                });
                var stored = sidecar.StoredPlaytestLines().Select(l => (string)JObject.Parse(l)["id"]).Where(id => id.StartsWith("pt-")).ToList();
                CollectionAssert.AreEquivalent(ids, stored, "every recorded playtest is stored, each once");
                var roundTrip = JObject.Parse(sidecar.StoredPlaytestLines().First(l => l.Contains(ids[5])));
                Assert.AreEqual("Ranged", (string)roundTrip["params"]["enemyMix"]);
                Assert.AreEqual("unity", (string)roundTrip["tester"]);
            }
            finally
            {
                recorder.Dispose();
                TestSupport.DeleteDir(spool);
            }
        }
    }

    /// <summary>Mono's ClientWebSocket ignores cancellation during the upgrade: the client must not hang.</summary>
    [TestFixture]
    public class ConnectTimeoutTests
    {
        [Test]
        public void ConnectingToAListenerThatNeverAnswersTimesOut()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var held = new List<TcpClient>();
            listener.BeginAcceptTcpClient(Accept, Tuple.Create(listener, held));
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            try
            {
                using (var client = new MetabalanceClient(new SidecarEndpoint("ws://127.0.0.1:" + port + "/rpc", "t"), null,
                           new MetabalanceClientOptions { ConnectTimeout = TimeSpan.FromSeconds(1), ReconnectDelayMin = TimeSpan.FromSeconds(10) }))
                {
                    TestSupport.Run(async () =>
                    {
                        var clock = Stopwatch.StartNew();
                        var e = await TestSupport.Throws<ConnectTimeoutException>(() => client.ConnectAsync());
                        Assert.That(clock.Elapsed.TotalSeconds, Is.InRange(0.9, 5.0));
                        StringAssert.Contains("127.0.0.1:" + port, e.Message);
                        lock (held) Assert.AreEqual(1, held.Count, "the TCP connection was accepted, the upgrade never answered");
                    });
                }
            }
            finally
            {
                listener.Stop();
                lock (held) foreach (var c in held) c.Close();
            }
        }

        static void Accept(IAsyncResult ar)
        {
            var state = (Tuple<TcpListener, List<TcpClient>>)ar.AsyncState;
            try
            {
                var accepted = state.Item1.EndAcceptTcpClient(ar);
                lock (state.Item2) state.Item2.Add(accepted);
                state.Item1.BeginAcceptTcpClient(Accept, state);
            }
            catch (ObjectDisposedException)
            {
                // the listener stopped
            }
            catch (SocketException)
            {
                // the listener stopped
            }
        }
    }
}
