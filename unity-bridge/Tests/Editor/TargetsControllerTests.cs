using System;
using System.Linq;
using System.Threading.Tasks;
using Metabalance.Editor;
using Newtonsoft.Json.Linq;
using NUnit.Framework;
using UnityEditor;

namespace Metabalance.Tests
{
    /// <summary>The controller's target editing (Undo, drafts across domain reloads, what a save sends) against an in-memory sidecar.</summary>
    [TestFixture]
    public class TargetsControllerTests
    {
        static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
        const string Project = "{\"name\":\"g\",\"params\":[{\"name\":\"enemyHealth\",\"min\":20,\"max\":200}]," +
                               "\"metrics\":[{\"name\":\"won\",\"kind\":\"rate\"}],\"segments\":[{\"name\":\"novice\",\"testers\":[\"ana\"]}]," +
                               "\"targets\":[{\"metric\":\"won\",\"target\":0.6,\"tolerance\":0.1}]}";
        FakeSidecar server;
        JObject stored;
        MetabalanceController controller;

        [SetUp]
        public void SetUp()
        {
            SessionState.EraseString(MetabalanceController.SessionTargets);
            stored = JObject.Parse(Project);
            server = new FakeSidecar();
            server.Handler = (method, p) =>
            {
                switch (method)
                {
                    case Methods.ProjectGet: lock (server) return new JObject { { "project", stored.DeepClone() } };
                    case Methods.ProjectUpdate:
                        lock (server) stored = (JObject)p["project"].DeepClone();
                        return new JObject { { "project", p["project"] } };
                    case Methods.LevelsList: return JObject.Parse("{\"levels\":[]}");
                    default: return new JObject();
                }
            };
        }

        [TearDown]
        public void TearDown()
        {
            if (controller != null) controller.Dispose();
            SessionState.EraseString(MetabalanceController.SessionTargets);
        }

        async Task<MetabalanceController> Connected()
        {
            controller = new MetabalanceController(new MetabalanceSettings(), null, new MetabalanceClientOptions(), server.Factory);
            controller.Connect(() => new SidecarEndpoint("ws://127.0.0.1:1/rpc", "t"));
            await Idle(controller, () => controller.Targets.Loaded, "the targets");
            return controller;
        }

        static Task Idle(MetabalanceController c, Func<bool> condition, string what)
        {
            return TestSupport.PumpUntil(c.MainThread, () => condition() && !c.Busy, Wait, what);
        }

        [Test]
        public void EachEditIsOneUndoStep()
        {
            TestSupport.Run(async () =>
            {
                var c = await Connected();
                Undo.IncrementCurrentGroup();
                c.EditTargets("Add target", t => t.Add());
                Undo.IncrementCurrentGroup();
                c.EditTargets("Change target", t => t.SetTarget(1, 0.7));
                Assert.AreEqual(0.7, c.Targets.Rows[1].Target);
                Undo.PerformUndo();
                Assert.AreEqual(2, c.Targets.Rows.Count);
                Assert.AreEqual(0.6, c.Targets.Rows[1].Target, "the added row as it was added");
                Assert.AreEqual("novice", c.Targets.Rows[1].Segment);
                Undo.PerformUndo();
                Assert.AreEqual(1, c.Targets.Rows.Count);
                Assert.IsFalse(c.Targets.IsDirty);
            });
        }

        [Test]
        public void UndoAfterASaveTakesBackTheEditNotTheSave()
        {
            TestSupport.Run(async () =>
            {
                var c = await Connected();
                Undo.IncrementCurrentGroup();
                c.EditTargets("Change target", t => t.SetTarget(0, 0.7));
                c.SaveTargets();
                await Idle(c, () => !c.Targets.IsDirty, "the save");
                Undo.PerformUndo();
                Assert.AreEqual(0.6, c.Targets.Rows[0].Target);
                Assert.AreEqual(0.7, c.Targets.Saved[0].Target, "project.json still holds the saved value");
                Assert.IsTrue(c.Targets.IsDirty, "the undone edit is an unsaved change");
            });
        }

        [Test]
        public void AnUnsavedDraftSurvivesADomainReload()
        {
            TestSupport.Run(async () =>
            {
                var c = await Connected();
                c.EditTargets("Change target", t => t.SetTolerance(0, 0.03));
                c.Dispose();
                controller = new MetabalanceController(new MetabalanceSettings(), null, new MetabalanceClientOptions(), server.Factory);
                controller.Restore();
                Assert.AreEqual(0.03, controller.Targets.Rows[0].Tolerance, "restored before any connection");
                controller.Connect(() => new SidecarEndpoint("ws://127.0.0.1:1/rpc", "t"));
                await Idle(controller, () => server.RequestsFor(Methods.ProjectGet).Count == 2, "the reload's project.get");
                Assert.AreEqual(0.03, controller.Targets.Rows[0].Tolerance, "connecting again does not overwrite the draft");
                Assert.IsTrue(controller.Targets.IsDirty);
            });
        }

        [Test]
        public void RowsTheSidecarWouldRefuseAreNotSent()
        {
            TestSupport.Run(async () =>
            {
                var c = await Connected();
                c.EditTargets("Change target tolerance", t => t.SetTolerance(0, 0));
                c.SaveTargets();
                StringAssert.Contains("targets not saved: targets[0].tolerance: must be a finite number greater than 0", c.Error);
                await Task.Delay(100);
                c.Pump();
                Assert.AreEqual(0, server.RequestsFor(Methods.ProjectUpdate).Count);
                Assert.AreEqual(0.1, (double)stored["targets"][0]["tolerance"]);
                Assert.AreEqual(0, c.Targets.Rows[0].Tolerance, "the edit stays");
            });
        }

        [Test]
        public void ASaveKeepsWhatOthersChangedInTheProjectMeanwhile()
        {
            TestSupport.Run(async () =>
            {
                var c = await Connected();
                c.EditTargets("Add target", t => t.SetTarget(t.Add(), 0.75));
                lock (server) stored["params"][0]["max"] = 300;
                c.SaveTargets();
                await Idle(c, () => c.Status.EndsWith("2 targets"), "the save");
                var sent = (JObject)server.RequestsFor(Methods.ProjectUpdate).Single()["params"]["project"];
                Assert.AreEqual(300, (double)sent["params"][0]["max"], "the sidecar's project as it is now, not as first loaded");
                Assert.AreEqual("novice", (string)sent["targets"][1]["segment"]);
                Assert.AreEqual(0.75, (double)sent["targets"][1]["target"]);
                Assert.IsFalse(c.Targets.IsDirty);
                Assert.AreEqual("", SessionState.GetString(MetabalanceController.SessionTargets, ""), "no draft left once saved");
            });
        }

        [Test]
        public void ClassifyingTestersKeepsEachTestersSegment()
        {
            var handler = server.Handler;
            server.Handler = (method, p) => method != Methods.TestersClassify ? handler(method, p) : JObject.Parse(
                "{\"segments\":[\"novice\",\"expert\"],\"testers\":[" +
                "{\"tester\":\"ana\",\"playtests\":12,\"segment\":\"novice\",\"declared\":true,\"confidence\":1,\"probabilities\":{\"novice\":1,\"expert\":0}}," +
                "{\"tester\":\"cy\",\"playtests\":1,\"segment\":\"expert\",\"declared\":false,\"confidence\":0.834,\"probabilities\":{\"novice\":0.166,\"expert\":0.834}}]}");
            TestSupport.Run(async () =>
            {
                var c = await Connected();
                c.ClassifyTesters();
                await Idle(c, () => c.TesterSegments != null, "testers.classify");
                Assert.AreEqual(1, server.RequestsFor(Methods.TestersClassify).Count);
                Assert.IsNull(server.RequestsFor(Methods.TestersClassify)[0]["params"]["testers"], "every tester");
                TestSupport.InCulture("de-DE", () =>
                {
                    Assert.AreEqual("novice (declared), 12 playtests", MetabalanceWindow.DescribeTester(c.TesterSegments.Testers[0]));
                    Assert.AreEqual("expert (inferred, 83 %), 1 playtest", MetabalanceWindow.DescribeTester(c.TesterSegments.Testers[1]));
                });
            });
        }

        [Test]
        public void AnotherClientsProjectChangeReloadsTheNamesAndKeepsTheEdits()
        {
            TestSupport.Run(async () =>
            {
                var c = await Connected();
                c.EditTargets("Change target", t => t.SetTarget(0, 0.65));
                lock (server) ((JArray)stored["segments"]).Add(JObject.Parse("{\"name\":\"expert\",\"testers\":[]}"));
                server.Notify(Methods.ProjectChangedNotification, JObject.Parse("{\"what\":\"project\"}"));
                await Idle(c, () => c.Targets.Segments.Contains("expert"), "the new segment");
                Assert.AreEqual(0.65, c.Targets.Rows[0].Target);
                Assert.IsTrue(c.Targets.IsDirty);
            });
        }
    }
}
