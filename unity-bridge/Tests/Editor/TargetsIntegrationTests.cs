using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Metabalance.Editor;
using NUnit.Framework;

namespace Metabalance.Tests
{
    /// <summary>Editing design targets in the window's controller against the real sidecar: saved
    /// through project.update, refused with the sidecar's own error, and balanced per segment.</summary>
    [TestFixture]
    public class TargetsIntegrationTests
    {
        static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
        SidecarFixture sidecar;
        MetabalanceController controller;
        MetabalanceClient other;

        [OneTimeSetUp]
        public void StartSidecar()
        {
            // The fixture's playtests alternate between two bots: one is declared a novice, the other an expert.
            sidecar = new SidecarFixture("targets", p => p.Segments = new List<SegmentDef>
            {
                new SegmentDef { Name = "novice", Testers = new List<string> { "bot:rookie" } },
                new SegmentDef { Name = "expert", Testers = new List<string> { "bot:fixture" } },
            });
            sidecar.Start();
            other = sidecar.NewClient();
            TestSupport.Run(() => other.ConnectAsync());
        }

        [OneTimeTearDown]
        public void StopSidecar()
        {
            if (other != null) other.Dispose();
            if (sidecar != null) sidecar.Dispose();
        }

        [SetUp]
        public void Connect()
        {
            controller = new MetabalanceController(new MetabalanceSettings { TrainSteps = 60 });
            controller.Connect(() => sidecar.Endpoint());
            TestSupport.Run(() => Until(() => controller.Targets.Loaded, "the project's targets"));
        }

        [TearDown]
        public void Disconnect()
        {
            if (controller == null) return;
            controller.Dispose();
            UnityEditor.SessionState.EraseString(MetabalanceController.SessionTargets);
        }

        Task Until(Func<bool> condition, string what, TimeSpan? timeout = null)
        {
            return TestSupport.PumpUntil(controller.MainThread, () => condition() && !controller.Busy || controller.Error != null, timeout ?? Wait, what);
        }

        string ProjectJson() { return File.ReadAllText(Path.Combine(sidecar.ProjectDir, "project.json")); }

        /// <summary>Sets a target through the controller (adding its row when missing) and saves it.</summary>
        async Task SaveTarget(string metric, string segment, double target, double tolerance)
        {
            controller.EditTargets("Set target", t =>
            {
                var row = t.Rows.ToList().FindIndex(r => r.Metric == metric && r.Segment == segment);
                if (row < 0)
                {
                    row = t.Add();
                    t.SetMetric(row, metric);
                    t.SetSegment(row, segment);
                }
                t.SetTarget(row, target);
                t.SetTolerance(row, tolerance);
            });
            controller.SaveTargets();
            await Until(() => !controller.Targets.IsDirty, "project.update");
            Assert.IsNull(controller.Error);
        }

        [Test]
        public void ASegmentTargetEditedInTheControllerIsStoredByTheSidecar()
        {
            TestSupport.Run(async () =>
            {
                var before = await other.ProjectGetAsync();
                CollectionAssert.AreEqual(new[] { "everyone", "novice", "expert" }, controller.Targets.SegmentChoices(0));
                controller.EditTargets("Add target", t =>
                {
                    var row = t.Add();
                    t.SetSegment(row, "novice");
                    t.SetTarget(row, 0.7);
                    t.SetTolerance(row, 0.05);
                    t.SetWeight(row, 2);
                });
                controller.SaveTargets();
                await Until(() => !controller.Targets.IsDirty, "project.update");
                Assert.IsNull(controller.Error);

                var after = await other.ProjectGetAsync();
                var novice = after.Targets.Single(t => t.Metric == "won" && t.Segment == "novice");
                Assert.AreEqual(0.7, novice.Target);
                Assert.AreEqual(0.05, novice.Tolerance);
                Assert.AreEqual(2, novice.Weight);
                Assert.AreEqual(before.Targets.Count + 1, after.Targets.Count);
                Assert.AreEqual(Json.Serialize(before.Params), Json.Serialize(after.Params), "only the targets changed");
                Assert.AreEqual(Json.Serialize(before.Segments), Json.Serialize(after.Segments));
                StringAssert.Contains("\"segment\": \"novice\"", ProjectJson(), "written to project.json");
                Assert.AreEqual(after.Targets.Count, controller.Targets.Saved.Count);
            });
        }

        [Test]
        public void ARefusedUpdateLeavesTheProjectAndTheEditAsTheyWereAndNamesTheField()
        {
            TestSupport.Run(async () =>
            {
                var file = ProjectJson();
                var row = controller.Targets.Rows.ToList().FindIndex(r => r.Metric == "won" && r.Segment == null);
                // Passes the editor's own checks; the sidecar knows "won" is a rate and refuses it.
                controller.EditTargets("Change target", t => t.SetTarget(row, 1.5));
                controller.SaveTargets();
                await Until(() => controller.Error != null, "the refusal");
                StringAssert.StartsWith("targets not saved: project.update:", controller.Error);
                StringAssert.Contains("targets[" + row + "].target", controller.Error, "the sidecar's error names the field");
                StringAssert.Contains("(-32005)", controller.Error);
                Assert.AreEqual(file, ProjectJson(), "project.json is untouched");
                var stored = await other.ProjectGetAsync();
                Assert.AreEqual(0.6, stored.Targets.Single(t => t.Metric == "won" && t.Segment == null).Target);
                Assert.AreEqual(1.5, controller.Targets.Rows[row].Target, "the edit stays, to be corrected");
                Assert.IsTrue(controller.Targets.IsDirty);
            });
        }

        [Test]
        public void ASchemaRefusalNamesTheFieldWithoutTheValidatorsRawObjects()
        {
            TestSupport.Run(async () =>
            {
                var project = await other.ProjectGetAsync();
                project.Targets[0].Tolerance = 0;
                var e = await TestSupport.Throws<RpcException>(() => other.ProjectUpdateAsync(project));
                Assert.AreEqual(RpcErrorCodes.InvalidParams, e.Code);
                StringAssert.Contains("project.targets[0].tolerance: must be > 0", e.Message);
                StringAssert.DoesNotContain("schemaErrors", e.Message);
                StringAssert.DoesNotContain("instancePath", e.Message);
            });
        }

        /// <summary>Needs the sidecar's testers.classify, written in parallel with this window: on a branch
        /// without it this test fails with "method not found"; run it once both are merged.</summary>
        [Test]
        public void TestersAreListedWithTheirDeclaredOrInferredSegment()
        {
            TestSupport.Run(async () =>
            {
                var runs = new List<PlaytestRecord>();
                for (var i = 0; i < 3; i++)
                    runs.Add(new PlaytestRecord
                    {
                        Id = "new-tester-" + i, LevelId = "L02", Tester = "human:new",
                        Params = new Dictionary<string, object> { { "enemyHealth", 60.0 + 20 * i } },
                        Metrics = new Dictionary<string, double> { { "won", i % 2 }, { "durationSec", 260 + 10 * i } },
                    });
                Assert.AreEqual(3, (await other.PlaytestsAppendAsync(runs)).Accepted.Count);
                // Typing learns a segment from at least two of its declared testers: a second bot of each kind.
                var twins = SidecarFixture.LevelIds.SelectMany(level => new[] { "bot:rookie-2", "bot:fixture-2" }.SelectMany(bot => Enumerable.Range(0, 3).Select(i => new PlaytestRecord
                {
                    Id = bot + "-" + level + "-" + i, LevelId = level, Tester = bot,
                    Params = new Dictionary<string, object> { { "enemyHealth", bot == "bot:rookie-2" ? 120.0 + 10 * i : 40.0 + 10 * i } },
                    Metrics = new Dictionary<string, double> { { "won", bot == "bot:rookie-2" ? 0 : 1 }, { "durationSec", 300 + 20 * i } },
                }))).ToList();
                Assert.AreEqual(twins.Count, (await other.PlaytestsAppendAsync(twins)).Accepted.Count);
                var project = await other.ProjectGetAsync();
                project.Segments.Single(g => g.Name == "novice").Testers.Add("bot:rookie-2");
                project.Segments.Single(g => g.Name == "expert").Testers.Add("bot:fixture-2");
                await other.ProjectUpdateAsync(project);
                controller.Train();
                await Until(() => controller.JobId != null, "model.train");
                await Until(() => !controller.Training, "training", TimeSpan.FromMinutes(3));
                controller.ClassifyTesters();
                await Until(() => controller.TesterSegments != null, "testers.classify");
                Assert.IsNull(controller.Error);
                var r = controller.TesterSegments;
                CollectionAssert.AreEqual(new[] { "novice", "expert" }, r.Segments);
                var rookie = r.Testers.Single(t => t.Tester == "bot:rookie");
                Assert.AreEqual("novice", rookie.Segment);
                Assert.IsTrue(rookie.Declared);
                Assert.AreEqual(1.0, rookie.Confidence);
                Assert.That(rookie.Playtests, Is.GreaterThanOrEqualTo(30));
                Assert.AreEqual("novice (declared), " + rookie.Playtests + " playtests", MetabalanceWindow.DescribeTester(rookie));
                Assert.AreEqual("expert", r.Testers.Single(t => t.Tester == "bot:fixture").Segment);
                var fresh = r.Testers.Single(t => t.Tester == "human:new");
                Assert.IsFalse(fresh.Declared);
                Assert.AreEqual(3, fresh.Playtests);
                CollectionAssert.Contains(r.Segments, fresh.Segment);
                Assert.AreEqual(fresh.Probabilities[fresh.Segment], fresh.Confidence, 1e-9);
                Assert.That(fresh.Confidence, Is.InRange(0.5, 1.0), "the most probable of two segments");
                Assert.AreEqual(1.0, fresh.Probabilities.Values.Sum(), 1e-6);
            });
        }

        [Test]
        public void BalancingShowsEachSegmentsPredictionsBesideItsTargets()
        {
            TestSupport.Run(async () =>
            {
                await SaveTarget("won", "novice", 0.7, 0.05);
                await SaveTarget("won", "expert", 0.35, 0.05);
                controller.Train();
                await Until(() => controller.JobId != null, "model.train");
                await Until(() => !controller.Training, "training", TimeSpan.FromMinutes(3));
                Assert.AreEqual(JobStates.Succeeded, controller.JobState, controller.Error);
                controller.SelectedLevelId = "L03";
                controller.Balance();
                await Until(() => controller.LastBalance != null, "level.balance");
                Assert.IsNull(controller.Error);
                var predicted = controller.LastBalance.Predicted;
                foreach (var column in new[] { "won", "durationSec", "won@novice", "won@expert" }) CollectionAssert.Contains(predicted.Keys, column);

                var groups = SegmentPredictions.Group(predicted, controller.Targets.Saved);
                CollectionAssert.AreEqual(new[] { "everyone", "novice", "expert" }, groups.Select(g => g.Label));
                var novice = groups[1].Metrics.Single(m => m.Metric == "won");
                Assert.AreEqual(0.7, novice.Target.Target);
                Assert.AreEqual(predicted["won@novice"].Mean, novice.Prediction.Mean);
                Assert.AreEqual(Math.Abs(predicted["won@novice"].Mean - 0.7) <= 0.05, novice.Met);
                Assert.AreEqual(0.35, groups[2].Metrics.Single(m => m.Metric == "won").Target.Target);
                Assert.AreEqual(0.6, groups[0].Metrics.Single(m => m.Metric == "won").Target.Target);
            });
        }
    }
}
