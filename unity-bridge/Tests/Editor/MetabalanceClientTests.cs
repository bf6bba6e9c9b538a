using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Metabalance.Tests
{
    /// <summary>The client against an in-memory sidecar: correlation, timeouts, events, reconnects.</summary>
    [TestFixture]
    public class MetabalanceClientTests
    {
        FakeSidecar server;
        MainThreadQueue queue;
        MetabalanceClient client;
        int endpointCalls;

        [SetUp]
        public void SetUp()
        {
            server = new FakeSidecar();
            queue = new MainThreadQueue();
            endpointCalls = 0;
        }

        [TearDown]
        public void TearDown()
        {
            if (client != null) client.Dispose();
        }

        MetabalanceClient NewClient(MetabalanceClientOptions options = null)
        {
            client = new MetabalanceClient(() =>
            {
                var n = Interlocked.Increment(ref endpointCalls);
                return new SidecarEndpoint("ws://127.0.0.1:1/rpc", "token-" + n);
            }, queue, options ?? Fast(), server.Factory);
            return client;
        }

        static MetabalanceClientOptions Fast()
        {
            return new MetabalanceClientOptions
            {
                ConnectTimeout = TimeSpan.FromSeconds(2),
                RequestTimeout = TimeSpan.FromSeconds(5),
                ReconnectDelayMin = TimeSpan.FromMilliseconds(20),
                ReconnectDelayMax = TimeSpan.FromMilliseconds(100),
            };
        }

        [Test]
        public void InitializeSendsTheProtocolVersionAndExposesTheServer()
        {
            TestSupport.Run(async () =>
            {
                await NewClient().ConnectAsync();
                Assert.AreEqual(ConnectionState.Connected, client.State);
                Assert.AreEqual("cpu", client.Server.Backend);
                var init = server.RequestsFor(Methods.Initialize);
                Assert.AreEqual(1, init.Count);
                Assert.AreEqual("1.0", (string)init[0]["params"]["protocolVersion"]);
                Assert.AreEqual("metabalance-unity", (string)init[0]["params"]["clientName"]);
                Assert.AreEqual("2.0", (string)init[0]["jsonrpc"]);
                Assert.AreEqual("token-1", server.Tokens[0]);
            });
        }

        [Test]
        public void AnotherMajorProtocolVersionFailsAndStopsReconnecting()
        {
            server.ProtocolVersion = "2.0";
            TestSupport.Run(async () =>
            {
                var e = await TestSupport.Throws<ProtocolMismatchException>(() => NewClient().ConnectAsync());
                StringAssert.Contains("2.0", e.Message);
                await Task.Delay(300);
                Assert.AreEqual(ConnectionState.Failed, client.State);
                Assert.AreEqual(1, server.ConnectionCount, "no reconnect after a version mismatch");
                await TestSupport.Throws<ConnectionLostException>(() => client.ModelInfoAsync());
            });
        }

        [Test]
        public void ANewerMinorVersionConnectsWithAWarningOnTheMainThread()
        {
            server.ProtocolVersion = "1.3";
            var warnings = new List<string>();
            TestSupport.Run(async () =>
            {
                NewClient().Warning += w => warnings.Add(w);
                await client.ConnectAsync();
                Assert.AreEqual(0, warnings.Count, "events wait for the main thread");
                queue.Pump();
                Assert.AreEqual(1, warnings.Count);
                StringAssert.Contains("1.3", warnings[0]);
            });
        }

        [Test]
        public void ConcurrentRequestsGetTheirOwnAnswersWhateverTheOrder()
        {
            server.Handler = (method, p) =>
            {
                var id = (string)p["jobId"];
                if (id == "slow") Thread.Sleep(300);
                return new JObject { { "jobId", id }, { "state", "cancelled" } };
            };
            TestSupport.Run(async () =>
            {
                await NewClient().ConnectAsync();
                var slow = client.JobCancelAsync("slow");
                var fast = client.JobCancelAsync("fast");
                Assert.AreEqual("fast", (await fast).JobId);
                Assert.IsFalse(slow.IsCompleted, "the slow answer arrives later");
                Assert.AreEqual("slow", (await slow).JobId);
            });
        }

        [Test]
        public void ErrorAnswersBecomeRpcExceptionsWithCodeAndProblems()
        {
            server.Handler = (method, p) =>
            {
                throw new FakeRpcError(RpcErrorCodes.InvalidInput, "invalid playtests",
                    new JObject { { "problems", new JArray("playtests[0].metrics.won: must be a number (got \"yes\")") } });
            };
            TestSupport.Run(async () =>
            {
                await NewClient().ConnectAsync();
                var e = await TestSupport.Throws<RpcException>(() => client.PlaytestsAppendAsync(new List<PlaytestRecord>()));
                Assert.AreEqual(RpcErrorCodes.InvalidInput, e.Code);
                Assert.AreEqual(Methods.PlaytestsAppend, e.Method);
                StringAssert.Contains("playtests[0].metrics.won: must be a number", e.Message);
            });
        }

        [Test]
        public void AnUnansweredRequestTimesOutAndTheConnectionStaysUsable()
        {
            server.Handler = (method, p) => method == Methods.LevelBalance ? FakeSidecar.NoAnswer : new JObject { { "jobId", "j" }, { "state", "running" } };
            TestSupport.Run(async () =>
            {
                await NewClient().ConnectAsync();
                var clock = Stopwatch.StartNew();
                var e = await TestSupport.Throws<RequestTimeoutException>(() =>
                    client.CallAsync<BalanceResult>(Methods.LevelBalance, new LevelBalanceParams { LevelId = "L1" }, TimeSpan.FromMilliseconds(300)));
                Assert.That(clock.ElapsedMilliseconds, Is.InRange(250, 3000));
                StringAssert.Contains("level.balance", e.Message);
                Assert.AreEqual("running", (await client.JobCancelAsync("j")).State);
                Assert.AreEqual(ConnectionState.Connected, client.State);
            });
        }

        [Test]
        public void TimeoutMessagesWriteSecondsTheSameInEveryLocale()
        {
            server.Handler = (method, p) => FakeSidecar.NoAnswer;
            TestSupport.InCulture("de-DE", () => TestSupport.Run(async () =>
            {
                Assert.AreEqual("0,35", (0.35).ToString(), "the locale is in effect on the test's threads");
                await NewClient().ConnectAsync();
                var e = await TestSupport.Throws<RequestTimeoutException>(() =>
                    client.CallAsync<BalanceResult>(Methods.LevelBalance, new LevelBalanceParams { LevelId = "L1" }, TimeSpan.FromMilliseconds(350)));
                // What is left of the 0.35 s after the connection wait, with a decimal point.
                StringAssert.IsMatch(@"within 0\.\d+ s$", e.Message);
            }));
        }

        [Test]
        public void NotificationsArriveTypedOnlyWhenTheQueueIsPumped()
        {
            var progress = new List<JobProgress>();
            var finished = new List<JobFinished>();
            var changed = new List<ProjectChanged>();
            var raw = new List<string>();
            TestSupport.Run(async () =>
            {
                NewClient();
                client.JobProgressReceived += progress.Add;
                client.JobFinishedReceived += finished.Add;
                client.ProjectChangedReceived += changed.Add;
                client.NotificationReceived += (m, p) => raw.Add(m);
                await client.ConnectAsync();
                server.Notify(Methods.JobProgressNotification, JObject.Parse("{\"jobId\":\"j1\",\"step\":5,\"total\":20,\"loss\":0.5,\"valLoss\":null,\"etaSec\":3}"));
                server.Notify(Methods.JobFinishedNotification, JObject.Parse("{\"jobId\":\"j1\",\"state\":\"failed\",\"error\":{\"message\":\"out of memory\"}}"));
                server.Notify(Methods.ProjectChangedNotification, JObject.Parse("{\"what\":\"playtests\",\"ids\":[\"a\",\"b\"]}"));
                server.Notify("future.thing", new JObject());
                await Task.Delay(200);
                Assert.AreEqual(0, progress.Count + finished.Count + changed.Count + raw.Count, "nothing runs before the main thread pumps");
                await TestSupport.PumpUntil(queue, () => raw.Count == 4, TimeSpan.FromSeconds(5), "4 notifications");
                Assert.AreEqual(5, progress[0].Step);
                Assert.AreEqual(0.5, progress[0].Loss);
                Assert.IsNull(progress[0].ValLoss);
                Assert.AreEqual("out of memory", finished[0].Error.Message);
                CollectionAssert.AreEqual(new[] { "a", "b" }, changed[0].Ids);
                Assert.AreEqual("future.thing", raw[3]);
            });
        }

        [Test]
        public void CallbacksRunOnTheMainThreadQueue()
        {
            server.Handler = (method, p) => JObject.Parse("{\"levels\":[{\"id\":\"L1\",\"features\":{\"area\":3},\"playtestCount\":4}]}");
            TestSupport.Run(async () =>
            {
                await NewClient().ConnectAsync();
                LevelsListResult got = null;
                Exception error = null;
                client.Call<LevelsListResult>(Methods.LevelsList, new EmptyParams(), r => got = r, e => error = e);
                await Task.Delay(200);
                Assert.IsNull(got);
                await TestSupport.PumpUntil(queue, () => got != null || error != null, TimeSpan.FromSeconds(5), "the callback");
                Assert.IsNull(error);
                Assert.AreEqual(4, got.Levels[0].PlaytestCount);
            });
        }

        [Test]
        public void AHungHandshakeFailsAfterTheConnectTimeout()
        {
            server.HangConnect = true;
            var options = Fast();
            options.ConnectTimeout = TimeSpan.FromMilliseconds(400);
            TestSupport.Run(async () =>
            {
                var clock = Stopwatch.StartNew();
                await TestSupport.Throws<ConnectTimeoutException>(() => NewClient(options).ConnectAsync());
                Assert.That(clock.ElapsedMilliseconds, Is.InRange(350, 3000));
                Assert.IsTrue(server.Connections[0].IsClosed, "the hung attempt was aborted");
            });
        }

        [Test]
        public void ARequestMadeBeforeConnectingWaitsForTheConnection()
        {
            server.RefuseConnect = true;
            server.Handler = (method, p) => JObject.Parse("{\"levels\":[]}");
            TestSupport.Run(async () =>
            {
                var call = NewClient().LevelsListAsync();
                await TestSupport.Until(() => server.ConnectionCount >= 2, TimeSpan.FromSeconds(5), "retries");
                Assert.IsFalse(call.IsCompleted);
                server.RefuseConnect = false;
                Assert.AreEqual(0, (await call).Levels.Count);
            });
        }

        [Test]
        public void ADroppedConnectionFailsPendingCallsThenReconnectsWithAFreshToken()
        {
            server.Handler = (method, p) => method == Methods.LevelBalance ? FakeSidecar.NoAnswer : JObject.Parse("{\"levels\":[]}");
            var states = new List<ConnectionState>();
            TestSupport.Run(async () =>
            {
                NewClient().StateChanged += states.Add;
                await client.ConnectAsync();
                var pending = client.LevelBalanceAsync(new LevelBalanceParams { LevelId = "L1" });
                await Task.Delay(100);
                server.Current.Close();
                await TestSupport.Throws<ConnectionLostException>(() => pending);
                Assert.IsTrue(await client.WaitConnectedAsync(TimeSpan.FromSeconds(5)));
                await client.LevelsListAsync();
                Assert.AreEqual(2, server.ConnectionCount);
                Assert.AreEqual(2, server.RequestsFor(Methods.Initialize).Count, "initialize again after reconnecting");
                CollectionAssert.AreEqual(new[] { "token-1", "token-2" }, server.Tokens, "the endpoint is asked again per attempt");
                await TestSupport.PumpUntil(queue, () => states.Count >= 4, TimeSpan.FromSeconds(2), "state events");
                CollectionAssert.AreEqual(new[] { ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Connected }, states);
            });
        }

        [Test]
        public void TheHeartbeatReplacesAConnectionThatStoppedAnswering()
        {
            var options = Fast();
            options.HeartbeatInterval = TimeSpan.FromMilliseconds(150);
            options.HeartbeatTimeout = TimeSpan.FromMilliseconds(200);
            server.Handler = (method, p) =>
            {
                if (method == Methods.ModelInfo && server.ConnectionCount == 1) return FakeSidecar.NoAnswer; // the first sidecar hangs
                if (method == Methods.ModelInfo) throw new FakeRpcError(RpcErrorCodes.NoModel, "no model trained yet");
                return new JObject();
            };
            TestSupport.Run(async () =>
            {
                await NewClient(options).ConnectAsync();
                await TestSupport.Until(() => server.ConnectionCount == 2 && client.IsConnected, TimeSpan.FromSeconds(5), "a new connection");
                Assert.IsTrue(server.Connections[0].IsClosed);
                // An error answer proves the sidecar alive: no further reconnects.
                await Task.Delay(800);
                Assert.AreEqual(2, server.ConnectionCount);
                Assert.That(server.RequestsFor(Methods.ModelInfo).Count, Is.GreaterThanOrEqualTo(3));
            });
        }

        [Test]
        public void DisposeFailsPendingCallsAndStopsReconnecting()
        {
            server.Handler = (method, p) => FakeSidecar.NoAnswer;
            TestSupport.Run(async () =>
            {
                await NewClient().ConnectAsync();
                var pending = client.ModelInfoAsync();
                client.Dispose();
                await TestSupport.Throws<ConnectionLostException>(() => pending);
                Assert.AreEqual(ConnectionState.Disposed, client.State);
                await Task.Delay(200);
                Assert.AreEqual(1, server.ConnectionCount);
            });
        }

        [Test]
        public void RequestsOmitUnsetOptionalFields()
        {
            TestSupport.Run(async () =>
            {
                await NewClient().ConnectAsync();
                await client.CallAsync<JToken>(Methods.ModelTrain, new ModelTrainParams { Steps = 30 });
                await client.CallAsync<JToken>(Methods.ModelInfo, new EmptyParams());
                Assert.AreEqual("{\"steps\":30}", server.RequestsFor(Methods.ModelTrain)[0]["params"].ToString(Newtonsoft.Json.Formatting.None));
                Assert.AreEqual("{}", server.RequestsFor(Methods.ModelInfo)[0]["params"].ToString(Newtonsoft.Json.Formatting.None));
            });
        }
    }
}
