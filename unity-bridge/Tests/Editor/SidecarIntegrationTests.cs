using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using Metabalance.Editor;
using Newtonsoft.Json.Linq;
using NUnit.Framework;
using UnityEditor;
using UnityEngine;

namespace Metabalance.Tests
{
    /// <summary>The bridge against the real sidecar, started by the fixture on a temporary project.</summary>
    [TestFixture]
    public class SidecarIntegrationTests
    {
        const int TrainSteps = 200;
        SidecarFixture sidecar;
        MetabalanceClient client;

        [OneTimeSetUp]
        public void StartSidecar()
        {
            sidecar = new SidecarFixture("it");
            sidecar.Start();
            client = sidecar.NewClient();
            TestSupport.Run(() => client.ConnectAsync());
        }

        [OneTimeTearDown]
        public void StopSidecar()
        {
            if (client != null) client.Dispose();
            if (sidecar != null) sidecar.Dispose();
        }

        [Test]
        public void InitializeReportsVersionsBackendAndEveryMethodThisPackageCalls()
        {
            var server = client.Server;
            Assert.AreEqual("1.0", server.ProtocolVersion);
            Assert.AreEqual("unity-bridge-fixture", server.Project.Name);
            Assert.AreEqual(Path.GetFullPath(sidecar.ProjectDir), Path.GetFullPath(server.Project.Dir));
            Assert.That(server.Backend, Is.Not.Null.And.Not.Empty);
            foreach (var f in typeof(Methods).GetFields())
            {
                var name = (string)f.GetValue(null);
                if (f.Name == "ProtocolVersion") continue;
                var list = f.Name.EndsWith("Notification") ? server.Capabilities.Notifications : server.Capabilities.Methods;
                CollectionAssert.Contains(list, name, "the sidecar does not offer " + name);
            }
        }

        [Test]
        public void PlaytestsAppendIsIdempotentByIdAndNamesBadFields()
        {
            TestSupport.Run(async () =>
            {
                var before = (await client.PlaytestsListAsync(new PlaytestsListParams { LevelId = "L02", Limit = 0 })).Total;
                var records = new List<PlaytestRecord>
                {
                    new PlaytestRecord { Id = "it-append-1", LevelId = "L02", Params = new Dictionary<string, object> { { "enemyHealth", 90.0 } }, Metrics = new Dictionary<string, double> { { "won", 1 }, { "durationSec", 310 } } },
                    new PlaytestRecord { Id = "it-append-2", LevelId = "L02", Metrics = new Dictionary<string, double> { { "won", 0 } }, Tester = "human", At = "2026-11-22T12:00:00Z" },
                };
                var first = await client.PlaytestsAppendAsync(records);
                CollectionAssert.AreEqual(new[] { "it-append-1", "it-append-2" }, first.Accepted);
                var again = await client.PlaytestsAppendAsync(records);
                Assert.AreEqual(0, again.Accepted.Count);
                CollectionAssert.AreEquivalent(new[] { "it-append-1", "it-append-2" }, again.Duplicates);
                var bad = await client.PlaytestsAppendAsync(new List<PlaytestRecord>
                {
                    new PlaytestRecord { Id = "it-bad", LevelId = "L02", Params = new Dictionary<string, object> { { "enemyHealth", 9999.0 } }, Metrics = new Dictionary<string, double> { { "won", 1 } } },
                });
                Assert.AreEqual(1, bad.Rejected.Count);
                Assert.AreEqual(0, bad.Rejected[0].Index);
                StringAssert.Contains("enemyHealth", string.Join(" ", bad.Rejected[0].Errors.ToArray()));
                var after = await client.PlaytestsListAsync(new PlaytestsListParams { LevelId = "L02" });
                Assert.AreEqual(before + 2, after.Total);
                var stored = after.Playtests.Single(p => p.Id == "it-append-2");
                Assert.AreEqual("2026-11-22T12:00:00Z", stored.At, "dates travel verbatim");
                Assert.AreEqual("human", stored.Tester);
            });
        }

        [Test]
        public void WithoutTheTokenTheSidecarRefusesWebSocketAndHttp()
        {
            TestSupport.Run(async () =>
            {
                using (var intruder = new MetabalanceClient(new SidecarEndpoint(sidecar.Info.Rpc, "not-the-token"), null,
                           new MetabalanceClientOptions { ReconnectDelayMin = TimeSpan.FromSeconds(5) }))
                {
                    var e = await TestSupport.Throws<ConnectionLostException>(() => intruder.ConnectAsync());
                    Assert.IsNotInstanceOf<ConnectTimeoutException>(e, "refused, not hung");
                    StringAssert.Contains("401", e.Message, "the refusal says why");
                    Assert.AreNotEqual(ConnectionState.Connected, intruder.State);
                }
            });
            Assert.AreEqual(401, PostRpc(null).Key);
            Assert.AreEqual(401, PostRpc("not-the-token").Key);
            var ok = PostRpc(sidecar.Endpoint().Token);
            Assert.AreEqual(200, ok.Key);
            Assert.AreEqual("1.0", (string)JObject.Parse(ok.Value)["result"]["protocolVersion"]);
        }

        KeyValuePair<int, string> PostRpc(string token)
        {
            var request = (HttpWebRequest)WebRequest.Create(new Uri(new Uri(sidecar.Info.Http), "rpc"));
            request.Method = "POST";
            request.ContentType = "application/json";
            if (token != null) request.Headers[HttpRequestHeader.Authorization] = "Bearer " + token;
            var body = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}");
            using (var s = request.GetRequestStream()) s.Write(body, 0, body.Length);
            try
            {
                using (var response = (HttpWebResponse)request.GetResponse())
                using (var reader = new StreamReader(response.GetResponseStream()))
                    return new KeyValuePair<int, string>((int)response.StatusCode, reader.ReadToEnd());
            }
            catch (WebException e)
            {
                var response = (HttpWebResponse)e.Response;
                if (response == null) throw;
                return new KeyValuePair<int, string>((int)response.StatusCode, "");
            }
        }

        [Test]
        public void ARequestToAStalledSidecarTimesOutAndTheConnectionRecovers()
        {
            if (Path.DirectorySeparatorChar != '/') Assert.Ignore("stalls the sidecar with SIGSTOP");
            TestSupport.Run(async () =>
            {
                Signal("STOP");
                try
                {
                    var clock = Stopwatch.StartNew();
                    await TestSupport.Throws<RequestTimeoutException>(() => client.CallAsync<LevelsListResult>(Methods.LevelsList, new EmptyParams(), TimeSpan.FromMilliseconds(700)));
                    Assert.That(clock.ElapsedMilliseconds, Is.InRange(600, 5000));
                }
                finally
                {
                    Signal("CONT");
                }
                Assert.AreEqual(SidecarFixture.LevelIds.Length, (await client.LevelsListAsync()).Levels.Count);
            });
        }

        void Signal(string signal)
        {
            using (var kill = Process.Start(new ProcessStartInfo("kill", "-" + signal + " " + sidecar.Info.Pid) { UseShellExecute = false }))
                kill.WaitForExit();
        }

        [Test]
        public void TrainBalanceApplyPredictAndSuggestThroughTheWindowController()
        {
            var asset = ScriptableObject.CreateInstance<TestBalance>();
            var controller = new MetabalanceController(new MetabalanceSettings { TrainSteps = TrainSteps, SuggestCount = 3 });
            var progress = new List<JobProgress>();
            try
            {
                TestSupport.Run(async () =>
                {
                    var wait = TimeSpan.FromSeconds(30);
                    controller.ConnectTo(sidecar.Info);
                    controller.Client.JobProgressReceived += progress.Add;
                    await TestSupport.PumpUntil(controller.MainThread, () => controller.Levels.Count == SidecarFixture.LevelIds.Length, wait, "levels");
                    Assert.AreEqual(ConnectionState.Connected, controller.Connection);
                    Assert.That(controller.Levels.Single(l => l.Id == "L01").PlaytestCount, Is.GreaterThanOrEqualTo(10));

                    controller.Train();
                    await TestSupport.PumpUntil(controller.MainThread, () => controller.JobId != null, wait, "model.train");
                    await TestSupport.PumpUntil(controller.MainThread, () => !controller.Training, TimeSpan.FromMinutes(3), "training to end");
                    Assert.AreEqual(JobStates.Succeeded, controller.JobState, controller.Error);
                    var ours = progress.Where(p => p.JobId == controller.JobId).ToList();
                    Assert.That(ours.Count, Is.GreaterThanOrEqualTo(2), "job.progress notifications arrived");
                    Assert.That(ours.Max(p => p.Step), Is.GreaterThan(0), "progress moved");
                    for (var i = 1; i < ours.Count; i++) Assert.That(ours[i].Step, Is.GreaterThanOrEqualTo(ours[i - 1].Step), "in order");
                    Assert.AreEqual(TrainSteps, ours.Last().Total);
                    var info = await controller.Client.ModelInfoAsync();
                    Assert.AreEqual(TrainSteps, info.Steps);
                    // predictions are for the tester population: the fixture's two bots, 30 runs each
                    // (playtests other tests appended count as "(other)")
                    Assert.That(info.Testers["bot:fixture"], Is.InRange(0.45, 0.5));
                    Assert.AreEqual(info.Testers["bot:fixture"], info.Testers["bot:rookie"], 1e-9);
                    Assert.AreEqual(1.0, info.Testers.Values.Sum(), 1e-3);

                    controller.SelectedLevelId = "L03";
                    controller.Balance();
                    await TestSupport.PumpUntil(controller.MainThread, () => controller.LastBalance != null || controller.Error != null, wait, "level.balance");
                    Assert.IsNull(controller.Error);
                    var result = controller.LastBalance;
                    Assert.AreEqual("L03", result.LevelId);
                    CollectionAssert.AreEquivalent(BalanceAsset.Describe(asset).Select(p => p.Name), result.Params.Keys, "params names every parameter");
                    CollectionAssert.AreEquivalent(result.Params.Keys, result.Current.Keys, "current (the level's settings now) names every parameter too");
                    CollectionAssert.AreEquivalent(new[] { "won", "durationSec" }, result.Predicted.Keys, "predicted covers every metric");
                    Assert.That(result.PMeet, Is.InRange(0.0, 1.0));
                    Assert.That(result.Predicted["won"].Std, Is.GreaterThanOrEqualTo(0.0));

                    controller.Apply(asset);
                    Assert.AreEqual((float)Convert.ToDouble(result.Params["enemyHealth"]), asset.enemyHealth, 1e-3);
                    Assert.AreEqual(Convert.ToInt32(result.Params["roomCount"]), asset.roomCount);
                    Assert.AreEqual(2f, asset.LootMultiplier, "a locked param keeps its value");
                    Undo.PerformUndo();
                    Assert.AreEqual(80f, asset.enemyHealth);

                    controller.Predict(new Dictionary<string, object> { { "enemyHealth", 150f }, { "hardMode", true } });
                    await TestSupport.PumpUntil(controller.MainThread, () => controller.LastPrediction != null || controller.Error != null, wait, "level.predict");
                    Assert.IsNull(controller.Error);
                    Assert.AreEqual(150.0, Convert.ToDouble(controller.LastPrediction.Params["enemyHealth"]));
                    Assert.AreEqual(0.3, Convert.ToDouble(controller.LastPrediction.Params["potionRate"]), 1e-6, "unset params take their defaults");

                    controller.Suggest();
                    await TestSupport.PumpUntil(controller.MainThread, () => controller.Suggestions.Count > 0 || controller.Error != null, wait, "level.suggest");
                    Assert.IsNull(controller.Error);
                    Assert.That(controller.Suggestions.Count, Is.InRange(1, 3));
                    Assert.That(controller.Suggestions[0].Reason, Is.Not.Null.And.Not.Empty);
                });
            }
            finally
            {
                controller.Dispose();
                UnityEngine.Object.DestroyImmediate(asset);
            }
        }

        [Test]
        public void BatchBalanceAllStartsItsOwnSidecarTrainsAndWritesOneLinePerLevel()
        {
            var dir = sidecar.CopyProject("batch");
            var output = Path.Combine(dir, "results.jsonl");
            var options = BatchOptions.FromArgs(new[] { "-metabalanceProject", dir, "-metabalanceCli", SidecarFixture.CliPath(), "-metabalanceTrain", "20",
                "-metabalanceLevel", "L01", "-metabalanceLevel", "L06", "-metabalanceOut", output }, new MetabalanceSettings());
            var log = new StringWriter();
            var code = Task.Run(() => BatchRunner.RunAsync(options, log)).GetAwaiter().GetResult();
            Assert.AreEqual(0, code, log.ToString());
            var lines = File.ReadAllLines(output);
            Assert.AreEqual(2, lines.Length);
            Assert.AreEqual("L01", (string)JObject.Parse(lines[0])["levelId"]);
            Assert.AreEqual("L06", (string)JObject.Parse(lines[1])["levelId"]);
            Assert.IsFalse(File.Exists(Path.Combine(dir, ".metabalance", "token")), "the batch run stopped its sidecar");

            var unknown = BatchOptions.FromArgs(new[] { "-metabalanceProject", dir, "-metabalanceCli", SidecarFixture.CliPath(), "-metabalanceLevel", "NOPE" }, new MetabalanceSettings());
            var log2 = new StringWriter();
            Assert.AreEqual(1, Task.Run(() => BatchRunner.RunAsync(unknown, log2)).GetAwaiter().GetResult());
            StringAssert.Contains("NOPE", log2.ToString());
        }
    }
}
