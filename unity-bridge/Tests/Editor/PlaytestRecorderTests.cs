using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using NUnit.Framework;
using UnityEngine;

namespace Metabalance.Tests
{
    /// <summary>The recorder's disk spool and delivery against an in-memory sidecar that stores by id.</summary>
    [TestFixture]
    public class PlaytestRecorderTests
    {
        FakeSidecar server;
        MetabalanceClient client;
        string dir;
        Dictionary<string, JObject> stored;
        int appendCalls;

        [SetUp]
        public void SetUp()
        {
            dir = TestSupport.TempDir("spool");
            stored = new Dictionary<string, JObject>();
            appendCalls = 0;
            server = new FakeSidecar();
            // Idempotent by id, like the real store; "bad" metrics are rejected.
            server.Handler = (method, p) =>
            {
                appendCalls++;
                var result = new JObject { { "accepted", new JArray() }, { "duplicates", new JArray() }, { "rejected", new JArray() } };
                var index = 0;
                foreach (JObject record in (JArray)p["playtests"])
                {
                    var id = (string)record["id"];
                    if (record["metrics"]["bad"] != null)
                        ((JArray)result["rejected"]).Add(new JObject { { "index", index }, { "id", id }, { "errors", new JArray("metrics.bad: unknown metric") } });
                    else if (stored.ContainsKey(id)) ((JArray)result["duplicates"]).Add(id);
                    else
                    {
                        stored[id] = record;
                        ((JArray)result["accepted"]).Add(id);
                    }
                    index++;
                }
                return result;
            };
            client = new MetabalanceClient(() => new SidecarEndpoint("ws://127.0.0.1:1/rpc", "t"), null, new MetabalanceClientOptions
            {
                RequestTimeout = TimeSpan.FromSeconds(2),
                ReconnectDelayMin = TimeSpan.FromMilliseconds(20),
                ReconnectDelayMax = TimeSpan.FromMilliseconds(50),
            }, server.Factory);
        }

        [TearDown]
        public void TearDown()
        {
            client.Dispose();
            TestSupport.DeleteDir(dir);
        }

        PlaytestRecorder NewRecorder(int batchSize = 200)
        {
            return new PlaytestRecorder(client, dir, new PlaytestRecorderOptions { FlushInterval = TimeSpan.Zero, BatchSize = batchSize });
        }

        static Dictionary<string, object> Params(int i)
        {
            return new Dictionary<string, object> { { "enemyHealth", 50f + i }, { "roomCount", 3 + i }, { "hardMode", i % 2 == 0 }, { "archetype", DayOfWeek.Friday } };
        }

        static Dictionary<string, double> Metrics(int i)
        {
            return new Dictionary<string, double> { { "won", i % 2 }, { "durationSec", 300 + i } };
        }

        [Test]
        public void RecordsCarryThisMachinesTesterIdUnlessTheRunNamesOne()
        {
            var before = PlayerPrefs.GetString(TesterIdentity.PrefsKey, "");
            try
            {
                TesterIdentity.Current = "  qa-laptop-3 ";
                var recorder = NewRecorder();
                recorder.Record("L1", Params(0), Metrics(0));
                recorder.Record("L1", Params(1), Metrics(1), "bot:astar");
                CollectionAssert.AreEqual(new[] { "qa-laptop-3", "bot:astar" }, recorder.Spool.Peek(5).Select(r => r.Tester).ToList());
                recorder.Dispose();
                // set once per machine: a recorder made later on it uses the same id, options override it, and unset means "unity"
                Assert.AreEqual("qa-laptop-3", TesterIdentity.Current);
                TestSupport.DeleteDir(dir);
                var chosen = new PlaytestRecorder(client, dir, new PlaytestRecorderOptions { FlushInterval = TimeSpan.Zero, Tester = "bot:farm" });
                chosen.Record("L1", Params(2), Metrics(2));
                Assert.AreEqual("bot:farm", chosen.Spool.Peek(5).Single().Tester);
                chosen.Dispose();
                TesterIdentity.Current = " ";
                TestSupport.DeleteDir(dir);
                var unset = NewRecorder();
                unset.Record("L1", Params(3), Metrics(3));
                Assert.AreEqual(TesterIdentity.Fallback, unset.Spool.Peek(5).Single().Tester);
                unset.Dispose();
            }
            finally
            {
                PlayerPrefs.SetString(TesterIdentity.PrefsKey, before);
            }
        }

        [Test]
        public void RecordSpoolsDurablyWithUniqueIdsWhileOffline()
        {
            server.RefuseConnect = true;
            var recorder = NewRecorder();
            var ids = new List<string>();
            for (var i = 0; i < 3; i++) ids.Add(recorder.Record("L1", Params(i), Metrics(i)));
            Assert.AreEqual(3, ids.Distinct().Count());
            Assert.IsTrue(ids.All(id => id.StartsWith("pt-") && id.Length == 35));
            // A fresh spool (as after a crash and restart) sees the same records.
            var reopened = new PlaytestSpool(dir).Peek(10);
            CollectionAssert.AreEqual(ids, reopened.Select(r => r.Id).ToList());
            Assert.AreEqual(52.0, reopened[2].Params["enemyHealth"]);
            Assert.AreEqual(5L, reopened[2].Params["roomCount"]);
            Assert.AreEqual("Friday", reopened[2].Params["archetype"]);
            Assert.AreEqual("unity", reopened[0].Tester);
            StringAssert.EndsWith("Z", reopened[0].At);
            TestSupport.Run(async () =>
            {
                var result = await recorder.FlushAsync();
                Assert.IsInstanceOf<ConnectionLostException>(result.Error);
                Assert.AreEqual(3, result.StillPending);
            });
        }

        [Test]
        public void FlushSendsInBatchesAndEmptiesTheSpool()
        {
            var recorder = NewRecorder(batchSize: 2);
            var ids = new List<string>();
            for (var i = 0; i < 5; i++) ids.Add(recorder.Record("L1", Params(i), Metrics(i)));
            TestSupport.Run(async () =>
            {
                await client.ConnectAsync();
                var result = await recorder.FlushAsync();
                Assert.IsNull(result.Error);
                Assert.AreEqual(5, result.Sent);
                Assert.AreEqual(0, result.StillPending);
                Assert.AreEqual(3, appendCalls, "batches of 2");
                CollectionAssert.AreEquivalent(ids, stored.Keys);
                Assert.AreEqual(0, recorder.Pending);
            });
        }

        [Test]
        public void ABatchWhoseAnswerWasLostIsResentAndStoredOnce()
        {
            var recorder = NewRecorder();
            var ids = new List<string> { recorder.Record("L1", Params(1), Metrics(1)), recorder.Record("L1", Params(2), Metrics(2)) };
            var answer = server.Handler;
            // The sidecar stores the batch but the answer never arrives (connection dropped after fsync).
            server.Handler = (method, p) =>
            {
                answer(method, p);
                return FakeSidecar.NoAnswer;
            };
            TestSupport.Run(async () =>
            {
                await client.ConnectAsync();
                var first = await recorder.FlushAsync();
                Assert.IsInstanceOf<RequestTimeoutException>(first.Error);
                Assert.AreEqual(2, first.StillPending, "unacknowledged records stay spooled");
                server.Handler = answer;
                var second = await recorder.FlushAsync();
                Assert.AreEqual(2, second.Duplicates);
                Assert.AreEqual(0, second.StillPending);
                CollectionAssert.AreEquivalent(ids, stored.Keys);
            });
        }

        [Test]
        public void RejectedRecordsMoveToRejectedJsonlAndAreNotRetried()
        {
            var recorder = NewRecorder();
            var rejected = new List<string>();
            recorder.Rejected += (record, errors) => rejected.Add(record.Id + ": " + errors[0]);
            var good = recorder.Record("L1", Params(1), Metrics(1));
            var bad = recorder.Record("L1", Params(2), new Dictionary<string, double> { { "bad", 1 } });
            TestSupport.Run(async () =>
            {
                await client.ConnectAsync();
                var result = await recorder.FlushAsync();
                Assert.AreEqual(1, result.Sent);
                Assert.AreEqual(1, result.Rejected);
                Assert.AreEqual(0, result.StillPending);
                CollectionAssert.AreEqual(new[] { bad + ": metrics.bad: unknown metric" }, rejected);
                var kept = JObject.Parse(File.ReadAllLines(recorder.Spool.RejectedPath).Single());
                Assert.AreEqual(bad, (string)kept["record"]["id"]);
                Assert.AreEqual("metrics.bad: unknown metric", (string)kept["errors"][0]);
                await recorder.FlushAsync();
                Assert.AreEqual(1, appendCalls, "nothing left to send");
                Assert.IsTrue(stored.ContainsKey(good));
            });
        }

        [Test]
        public void RejectedIsRaisedOnTheThreadThatPumpsTheClientsQueue()
        {
            client.Dispose();
            var queue = new MainThreadQueue();
            client = new MetabalanceClient(() => new SidecarEndpoint("ws://127.0.0.1:1/rpc", "t"), queue, new MetabalanceClientOptions
            {
                RequestTimeout = TimeSpan.FromSeconds(2),
            }, server.Factory);
            var recorder = NewRecorder();
            var raisedOn = new List<int>();
            recorder.Rejected += (record, errors) => raisedOn.Add(Environment.CurrentManagedThreadId);
            recorder.Record("L1", Params(2), new Dictionary<string, double> { { "bad", 1 } });
            TestSupport.Run(async () =>
            {
                await client.ConnectAsync();
                Assert.AreEqual(1, (await recorder.FlushAsync()).Rejected);
            });
            Assert.IsEmpty(raisedOn, "not raised on the flushing thread");
            queue.Pump();
            CollectionAssert.AreEqual(new[] { Environment.CurrentManagedThreadId }, raisedOn);
        }

        [Test]
        public void AnUnreadableSpoolLineIsSetAsideNotLost()
        {
            var recorder = NewRecorder();
            var id = recorder.Record("L1", Params(1), Metrics(1));
            File.AppendAllText(recorder.Spool.PendingPath, "{\"id\":\"pt-torn\",\"levelId\":\"L");
            Assert.AreEqual(1, recorder.Pending);
            StringAssert.Contains("pt-torn", File.ReadAllText(recorder.Spool.UnreadablePath));
            Assert.AreEqual(id, recorder.Spool.Peek(5)[0].Id);
        }

        [Test]
        public void ARecordMadeAfterACrashMidAppendIsNotGluedToTheTornLine()
        {
            server.RefuseConnect = true;
            var recorder = NewRecorder();
            var first = recorder.Record("L1", Params(1), Metrics(1));
            File.AppendAllText(recorder.Spool.PendingPath, "{\"id\":\"pt-torn\",\"levelId\":\"L");
            var second = recorder.Record("L1", Params(2), Metrics(2));
            CollectionAssert.AreEqual(new[] { first, second }, recorder.Spool.Peek(5).Select(r => r.Id).ToList());
            Assert.AreEqual("{\"id\":\"pt-torn\",\"levelId\":\"L\n", File.ReadAllText(recorder.Spool.UnreadablePath));
        }

        [Test]
        public void RecordRefusesNonFiniteMetricsAndEmptyLevels()
        {
            var recorder = NewRecorder();
            Assert.Throws<ArgumentException>(() => recorder.Record("L1", Params(1), new Dictionary<string, double> { { "won", double.NaN } }));
            Assert.Throws<ArgumentException>(() => recorder.Record("", Params(1), Metrics(1)));
            Assert.Throws<ArgumentException>(() => recorder.Record("L1", Params(1), new Dictionary<string, double>()));
            Assert.AreEqual(0, recorder.Pending);
        }
    }
}
