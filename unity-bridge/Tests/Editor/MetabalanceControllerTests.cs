using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Metabalance.Editor;
using Newtonsoft.Json.Linq;
using NUnit.Framework;
using UnityEditor;
using UnityEngine;

namespace Metabalance.Tests
{
    /// <summary>The window's logic (MetabalanceController) against an in-memory sidecar.</summary>
    [TestFixture]
    public class MetabalanceControllerTests
    {
        static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
        FakeSidecar server;
        MetabalanceController controller;
        TestBalance asset;

        [SetUp]
        public void SetUp()
        {
            foreach (var key in new[] { MetabalanceController.SessionLevel, MetabalanceController.SessionJob, MetabalanceController.SessionBalance, MetabalanceController.SessionListening })
                SessionState.EraseString(key);
            asset = ScriptableObject.CreateInstance<TestBalance>();
            server = new FakeSidecar();
            server.Handler = (method, p) =>
            {
                switch (method)
                {
                    case Methods.LevelsList: return JObject.Parse("{\"levels\":[{\"id\":\"L1\",\"features\":{},\"playtestCount\":3},{\"id\":\"L2\",\"features\":{},\"playtestCount\":0}]}");
                    case Methods.ModelTrain: return JObject.Parse("{\"jobId\":\"job-1\"}");
                    case Methods.JobStatus: return JObject.Parse("{\"jobId\":\"job-1\",\"kind\":\"train\",\"state\":\"succeeded\",\"step\":30,\"total\":30,\"loss\":0.1,\"valLoss\":null,\"etaSec\":0,\"result\":{\"modelId\":\"m2\",\"info\":{\"algorithm\":\"joint\",\"seed\":0,\"steps\":30,\"trainedAt\":\"x\",\"backend\":\"cpu\",\"corpus\":{\"levels\":2,\"playtests\":3},\"validation\":{}}}}");
                    case Methods.LevelBalance:
                        return JObject.Parse("{\"levelId\":\"" + (string)p["levelId"] + "\",\"params\":{\"enemyHealth\":120.5,\"potionRate\":0.5,\"roomCount\":8,\"hardMode\":true,\"enemyMix\":\"Melee\",\"lootMultiplier\":2}," +
                                             "\"predicted\":{\"won\":{\"mean\":0.61,\"std\":0.04}},\"meetsTargets\":true,\"pMeet\":0.72,\"playtestCount\":3," +
                                             "\"keptCurrent\":" + ((string)p["levelId"] == "L2" ? "true" : "false") + ",\"changePMeet\":0.5,\"playtestsToConfirm\":40}");
                    case Methods.LevelPredict:
                        Thread.Sleep(150);
                        return JObject.Parse("{\"levelId\":\"L1\",\"params\":" + p["params"].ToString() + ",\"predicted\":{\"won\":{\"mean\":" + ((double)p["params"]["enemyHealth"] / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\"std\":0.1}},\"meetsTargets\":false,\"pMeet\":0.2}");
                    default: return new JObject();
                }
            };
        }

        [TearDown]
        public void TearDown()
        {
            if (controller != null) controller.Dispose();
            UnityEngine.Object.DestroyImmediate(asset);
        }

        MetabalanceController Connected()
        {
            controller = new MetabalanceController(new MetabalanceSettings(), null, new MetabalanceClientOptions { ReconnectDelayMin = TimeSpan.FromMilliseconds(20) }, server.Factory);
            controller.Connect(() => new SidecarEndpoint("ws://127.0.0.1:1/rpc", "t"));
            return controller;
        }

        async Task<MetabalanceController> ConnectedWithLevels()
        {
            var c = Connected();
            await UntilIdle(c, () => c.Levels.Count == 2, "levels");
            return c;
        }

        Task UntilIdle(MetabalanceController c, Func<bool> condition, string what)
        {
            return TestSupport.PumpUntil(c.MainThread, () => condition() && !c.Busy, Wait, what);
        }

        [Test]
        public void OnlyTheLevelSelectionCanBeChangedFromOutside()
        {
            var type = typeof(MetabalanceController);
            var fields = type.GetFields(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public).Where(f => !f.IsLiteral).Select(f => f.Name);
            CollectionAssert.IsEmpty(fields, "public fields");
            var setters = type.GetProperties(BindingFlags.Instance | BindingFlags.Public).Where(p => p.GetSetMethod() != null).Select(p => p.Name);
            CollectionAssert.AreEqual(new[] { "SelectedLevelId" }, setters);
            Assert.IsFalse(typeof(IList<LevelSummary>).IsAssignableFrom(type.GetProperty("Levels").PropertyType), "the level list is read-only");
        }

        [Test]
        public void ConnectingLoadsTheLevelsAndSelectsOne()
        {
            TestSupport.Run(async () =>
            {
                var c = await ConnectedWithLevels();
                Assert.AreEqual(ConnectionState.Connected, c.Connection);
                Assert.AreEqual("L2", c.SelectedLevelId);
                Assert.AreEqual("L2", SessionState.GetString(MetabalanceController.SessionLevel, ""));
            });
        }

        [Test]
        public void TrainingProgressComesFromNotifications()
        {
            TestSupport.Run(async () =>
            {
                var c = await ConnectedWithLevels();
                c.Train();
                await UntilIdle(c, () => c.JobId == "job-1", "the job id");
                Assert.IsTrue(c.Training);
                server.Notify(Methods.JobProgressNotification, JObject.Parse("{\"jobId\":\"other\",\"step\":99,\"total\":100,\"loss\":1,\"valLoss\":null,\"etaSec\":1}"));
                server.Notify(Methods.JobProgressNotification, JObject.Parse("{\"jobId\":\"job-1\",\"step\":15,\"total\":60,\"loss\":0.4,\"valLoss\":0.5,\"etaSec\":2}"));
                await UntilIdle(c, () => c.Progress != null, "progress");
                Assert.AreEqual(0.25f, c.TrainingFraction, "another job's progress is ignored");
                server.Notify(Methods.JobFinishedNotification, JObject.Parse("{\"jobId\":\"job-1\",\"state\":\"succeeded\",\"result\":{\"modelId\":\"m1\",\"info\":{\"algorithm\":\"joint\",\"seed\":0,\"steps\":60,\"trainedAt\":\"x\",\"backend\":\"cpu\",\"corpus\":{\"levels\":2,\"playtests\":3},\"validation\":{}}}}"));
                await UntilIdle(c, () => !c.Training, "the end of training");
                Assert.AreEqual(JobStates.Succeeded, c.JobState);
                StringAssert.Contains("m1", c.Status);
                Assert.AreEqual("", SessionState.GetString(MetabalanceController.SessionJob, ""));
            });
        }

        [Test]
        public void StateSurvivesADomainReloadAndAFinishedJobIsPickedUp()
        {
            TestSupport.Run(async () =>
            {
                var c = await ConnectedWithLevels();
                c.SelectedLevelId = "L1";
                c.Train();
                c.Balance();
                await UntilIdle(c, () => c.LastBalance != null && c.JobId != null, "a balance result and a job");
                // The domain reload: every object is gone, SessionState stays.
                c.Dispose();
                controller = null;
                var after = new MetabalanceController(new MetabalanceSettings(), null, new MetabalanceClientOptions(), server.Factory);
                controller = after;
                after.Restore();
                Assert.AreEqual("L1", after.SelectedLevelId);
                Assert.AreEqual(120.5, after.LastBalance.Params["enemyHealth"]);
                Assert.AreEqual("job-1", after.JobId);
                Assert.IsTrue(after.Training);
                after.Connect(() => new SidecarEndpoint("ws://127.0.0.1:1/rpc", "t"));
                // The job ended during the reload, when no notification could reach us: job.status tells.
                await UntilIdle(after, () => !after.Training, "the job state");
                Assert.AreEqual(JobStates.Succeeded, after.JobState);
                StringAssert.Contains("m2", after.Status);
            });
        }

        [Test]
        public void ApplyPutsTheBalancedValuesIntoTheAssetWithUndo()
        {
            TestSupport.Run(async () =>
            {
                var c = await ConnectedWithLevels();
                c.Apply(asset);
                StringAssert.Contains("balance a level first", c.Error);
                c.Balance();
                await UntilIdle(c, () => c.LastBalance != null, "a balance result");
                Assert.AreEqual(0.61, c.LastBalance.Predicted["won"].Mean);
                var changed = c.Apply(asset);
                CollectionAssert.AreEquivalent(new[] { "enemyHealth", "potionRate", "roomCount", "hardMode", "enemyMix" }, changed);
                Assert.AreEqual(120.5f, asset.enemyHealth);
                Assert.AreEqual(TestArchetype.Melee, asset.archetype);
                Undo.PerformUndo();
                Assert.AreEqual(80f, asset.enemyHealth);
                Assert.AreEqual(TestArchetype.Mixed, asset.archetype);
            });
        }

        [Test]
        public void BalanceSendsHowStronglyToStayNearTheCurrentValues()
        {
            TestSupport.Run(async () =>
            {
                var c = await ConnectedWithLevels();
                c.SelectedLevelId = "L1";
                c.Settings.StayNear = 2.5f;
                c.Balance();
                await UntilIdle(c, () => c.LastBalance != null, "a balance result");
                var sent = server.RequestsFor(Methods.LevelBalance).Single()["params"];
                Assert.AreEqual(2.5, (double)sent["stayNear"]);
                Assert.AreEqual("L1", (string)sent["levelId"]);
            });
        }

        [Test]
        public void TheBalanceStatusWritesPMeetTheSameInEveryLocale()
        {
            TestSupport.InCulture("de-DE", () => TestSupport.Run(async () =>
            {
                var c = await ConnectedWithLevels();
                c.Balance();
                await UntilIdle(c, () => c.LastBalance != null, "a balance result");
                StringAssert.EndsWith("(pMeet 0.72)", c.Status);
            }));
        }

        [Test]
        public void ABalanceThatKeepsTheCurrentSettingsSaysSo()
        {
            TestSupport.Run(async () =>
            {
                var c = await ConnectedWithLevels();
                c.SelectedLevelId = "L2";
                c.Balance();
                await UntilIdle(c, () => c.LastBalance != null, "a balance result");
                Assert.IsTrue(c.LastBalance.KeptCurrent);
                Assert.AreEqual(40, c.LastBalance.PlaytestsToConfirm);
                StringAssert.StartsWith("balanced L2: keep the current settings", c.Status);
            });
        }

        [Test]
        public void WhatIfPredictionsCoalesceToTheNewestValues()
        {
            TestSupport.Run(async () =>
            {
                var c = await ConnectedWithLevels();
                for (var h = 100; h <= 140; h += 10) c.Predict(new Dictionary<string, object> { { "enemyHealth", (float)h } });
                await UntilIdle(c, () => c.LastPrediction != null && c.LastPrediction.Params["enemyHealth"].Equals(140.0), "the newest prediction");
                Assert.AreEqual(0.14, c.LastPrediction.Predicted["won"].Mean, 1e-9);
                Assert.AreEqual(2, server.RequestsFor(Methods.LevelPredict).Count, "the first and the newest only");
            });
        }

        [Test]
        public void WriteProjectMergesTheAssetParamsIntoTheSidecarsProject()
        {
            server.Handler = (method, p) =>
            {
                switch (method)
                {
                    case Methods.ProjectGet:
                        return JObject.Parse("{\"project\":{\"name\":\"g\",\"params\":[{\"name\":\"trapDensity\",\"min\":0,\"max\":1,\"group\":\"generation\"}],\"metrics\":[{\"name\":\"won\",\"kind\":\"rate\"}],\"targets\":[{\"metric\":\"won\",\"target\":0.6,\"tolerance\":0.05}]}}");
                    case Methods.ProjectUpdate: return new JObject { { "project", p["project"] } };
                    default: return JObject.Parse("{\"levels\":[]}");
                }
            };
            TestSupport.Run(async () =>
            {
                var c = Connected();
                await UntilIdle(c, () => c.Connection == ConnectionState.Connected, "the connection");
                c.WriteProject(asset);
                await UntilIdle(c, () => c.Status.StartsWith("project.json now has"), "project.update");
                Assert.IsNull(c.Error);
                var sent = (JObject)server.RequestsFor(Methods.ProjectUpdate).Single()["params"]["project"];
                Assert.AreEqual(7, ((JArray)sent["params"]).Count);
                Assert.AreEqual("trapDensity", (string)sent["params"][0]["name"]);
                Assert.AreEqual("log", (string)sent["params"][1]["scale"]);
                Assert.AreEqual(0.6, (double)sent["targets"][0]["target"]);
                Assert.IsNull(sent["features"], "absent sections stay absent");
            });
        }

        [Test]
        public void ActionsWithoutASidecarExplainWhatToDo()
        {
            controller = new MetabalanceController(new MetabalanceSettings());
            controller.Train();
            StringAssert.Contains("start the sidecar", controller.Error);
            controller.SelectedLevelId = null;
            controller.Balance();
            StringAssert.Contains("select a level", controller.Error);
            controller.WriteProject(asset);
            StringAssert.Contains("choose the balancing project folder", controller.Error, "no folder: no sidecar to write through");
            Assert.IsFalse(controller.Sidecar.IsRunning);
        }
    }
}
