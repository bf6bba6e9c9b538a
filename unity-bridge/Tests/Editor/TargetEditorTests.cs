using System.Collections.Generic;
using System.Linq;
using Metabalance.Editor;
using NUnit.Framework;

namespace Metabalance.Tests
{
    /// <summary>The design-target editor model (no sidecar) and the per-segment view of predictions.</summary>
    [TestFixture]
    public class TargetEditorTests
    {
        static ProjectFile Project()
        {
            return Json.Deserialize<ProjectFile>(@"{
                ""name"": ""g"", ""description"": ""kept as it is"",
                ""params"": [{ ""name"": ""enemyHealth"", ""min"": 20, ""max"": 200 }],
                ""metrics"": [{ ""name"": ""won"", ""kind"": ""rate"" }, { ""name"": ""durationSec"", ""kind"": ""continuous"" }],
                ""segments"": [{ ""name"": ""novice"", ""testers"": [""ana""] }, { ""name"": ""expert"", ""testers"": [""bo""] }],
                ""targets"": [
                    { ""metric"": ""won"", ""target"": 0.6, ""tolerance"": 0.1 },
                    { ""metric"": ""durationSec"", ""target"": 300, ""tolerance"": 60, ""weight"": 0.5 }
                ]
            }");
        }

        static TargetEditor Loaded()
        {
            var editor = new TargetEditor();
            editor.Load(Project());
            return editor;
        }

        [Test]
        public void LoadingTakesTheTargetsAndTheNamesARowMayPick()
        {
            var editor = Loaded();
            Assert.IsTrue(editor.Loaded);
            Assert.IsFalse(editor.IsDirty);
            CollectionAssert.AreEqual(new[] { "won", "durationSec" }, editor.Rows.Select(r => r.Metric));
            CollectionAssert.AreEqual(new[] { "won", "durationSec" }, editor.MetricChoices(0));
            CollectionAssert.AreEqual(new[] { "everyone", "novice", "expert" }, editor.SegmentChoices(0));
        }

        [Test]
        public void AddingARowPicksTheFirstMetricAndSegmentWithoutATargetAndStartsFromThePopulationTarget()
        {
            var editor = Loaded();
            var row = editor.Add();
            Assert.AreEqual(2, row);
            Assert.AreEqual("won", editor.Rows[row].Metric);
            Assert.AreEqual("novice", editor.Rows[row].Segment);
            Assert.AreEqual(0.6, editor.Rows[row].Target);
            Assert.AreEqual(0.1, editor.Rows[row].Tolerance);
            Assert.AreEqual("expert", editor.Rows[editor.Add()].Segment);
            var durationNovice = editor.Rows[editor.Add()];
            Assert.AreEqual("durationSec", durationNovice.Metric);
            Assert.AreEqual("novice", durationNovice.Segment);
            Assert.AreEqual(300, durationNovice.Target);
            Assert.IsTrue(editor.IsDirty);
            CollectionAssert.IsEmpty(editor.Validate());
        }

        [Test]
        public void ChangingTheSegmentToEveryoneDropsItAndRemoveTakesTheRowOut()
        {
            var editor = Loaded();
            var row = editor.Add();
            editor.SetSegment(row, "expert");
            Assert.AreEqual("expert", editor.Rows[row].Segment);
            editor.SetSegment(row, TargetEditor.Everyone);
            Assert.IsNull(editor.Rows[row].Segment);
            StringAssert.Contains("targets[2].metric: a target for won (everyone) is already at targets[0]", string.Join("\n", editor.Validate().Select(p => p.ToString()).ToArray()));
            editor.Remove(0);
            CollectionAssert.IsEmpty(editor.Validate());
            Assert.AreEqual(2, editor.Rows.Count);
            Assert.Throws<System.ArgumentOutOfRangeException>(() => editor.Remove(5));
        }

        [Test]
        public void ValidationNamesEveryBadFieldLikeTheSidecarDoes()
        {
            var editor = Loaded();
            editor.SetTolerance(0, 0);
            editor.SetWeight(1, -2);
            editor.SetTarget(1, double.NaN);
            var problems = editor.Validate().Select(p => p.ToString()).ToList();
            CollectionAssert.AreEquivalent(new[]
            {
                "targets[0].tolerance: must be a finite number greater than 0 (got 0)",
                "targets[1].weight: must be a finite number greater than 0 (got -2)",
                "targets[1].target: must be a finite number",
            }, problems);
            Assert.AreEqual(0, editor.Validate().First(p => p.Field.EndsWith("tolerance")).Row);
            editor.SetTolerance(0, -0.05);
            StringAssert.Contains("(got -0.05)", editor.Validate().First(p => p.Row == 0).Message);
        }

        [Test]
        public void WeightOneIsTheDefaultAndIsLeftOut()
        {
            var spelledOut = Project();
            spelledOut.Targets[0].Weight = 1;
            var editor = new TargetEditor();
            editor.Load(spelledOut);
            Assert.IsNull(editor.Rows[0].Weight, "as the sidecar returns it, weight 1 is the default");
            editor.SetWeight(0, 1);
            Assert.IsFalse(editor.IsDirty, "setting the default is no change");
            editor.SetWeight(1, 1);
            Assert.IsNull(editor.Rows[1].Weight);
            editor.SetWeight(1, 2.5);
            Assert.AreEqual(2.5, editor.Rows[1].Weight);
        }

        [Test]
        public void ApplyingReplacesOnlyTheTargetsOfACopy()
        {
            var editor = Loaded();
            editor.SetTarget(editor.Add(), 0.75);
            var project = Project();
            var before = Json.Serialize(project);
            var written = editor.ApplyTo(project);
            Assert.AreEqual(before, Json.Serialize(project), "the given project is not changed");
            Assert.AreEqual(3, written.Targets.Count);
            Assert.AreEqual(0.75, written.Targets[2].Target);
            Assert.AreEqual("novice", written.Targets[2].Segment);
            Assert.AreEqual("kept as it is", written.Description);
            Assert.AreEqual(2, written.Segments.Count);
            Assert.AreEqual(200, written.Params[0].Max);
        }

        [Test]
        public void ReloadingKeepsUnsavedEditsButTakesTheNewNames()
        {
            var editor = Loaded();
            editor.SetTarget(0, 0.7);
            var changed = Project();
            changed.Segments.Add(new SegmentDef { Name = "casual" });
            changed.Targets[0].Target = 0.5;
            editor.Load(changed);
            Assert.AreEqual(0.7, editor.Rows[0].Target, "the designer's edit stays");
            Assert.AreEqual(0.5, editor.Saved[0].Target);
            CollectionAssert.Contains(editor.SegmentChoices(0), "casual");
            Assert.IsTrue(editor.IsDirty);
            editor.Revert();
            Assert.AreEqual(0.5, editor.Rows[0].Target);
            Assert.IsFalse(editor.IsDirty);
            editor.Load(Project());
            Assert.AreEqual(0.6, editor.Rows[0].Target, "without edits a reload takes the project's targets");
        }

        [Test]
        public void ARowNamingWhatTheProjectNoLongerDeclaresKeepsItInThePopups()
        {
            var editor = Loaded();
            editor.SetSegment(editor.Add(), "expert");
            var changed = Project();
            changed.Segments.RemoveAt(1);
            changed.Metrics.RemoveAt(1);
            editor.Load(changed);
            CollectionAssert.AreEqual(new[] { "everyone", "novice", "expert" }, editor.SegmentChoices(2));
            CollectionAssert.AreEqual(new[] { "won", "durationSec" }, editor.MetricChoices(1));
            CollectionAssert.AreEqual(new[] { "won" }, editor.MetricChoices(0));
        }

        [Test]
        public void TheStateRoundTripsThroughJson()
        {
            var editor = Loaded();
            editor.SetTolerance(editor.Add(), 0.02);
            var copy = new TargetEditor();
            copy.FromJson(editor.ToJson());
            Assert.IsTrue(copy.IsDirty);
            Assert.AreEqual(0.02, copy.Rows[2].Tolerance);
            CollectionAssert.AreEqual(editor.Segments, copy.Segments);
            Assert.AreEqual(2, copy.Saved.Count);
        }

        [Test]
        public void AddingBeforeLoadingSaysWhy()
        {
            var e = Assert.Throws<System.InvalidOperationException>(() => new TargetEditor().Add());
            StringAssert.Contains("load", e.Message);
        }

        // ---- predictions per segment ----

        static Dictionary<string, MetricPrediction> Predicted()
        {
            return new Dictionary<string, MetricPrediction>
            {
                { "won", new MetricPrediction { Mean = 0.58, Std = 0.03 } },
                { "durationSec", new MetricPrediction { Mean = 420, Std = 12 } },
                { "won@novice", new MetricPrediction { Mean = 0.64, Std = 0.05 } },
                { "durationSec@novice", new MetricPrediction { Mean = 500, Std = 20 } },
                { "won@expert", new MetricPrediction { Mean = 0.8, Std = 0.04 } },
            };
        }

        [Test]
        public void PredictionsAreGroupedPerSegmentBesideTheirTargets()
        {
            var targets = new List<TargetDef>(Project().Targets)
            {
                new TargetDef { Metric = "won", Segment = "novice", Target = 0.7, Tolerance = 0.05 },
                new TargetDef { Metric = "won", Segment = "expert", Target = 0.35, Tolerance = 0.05 },
            };
            var groups = SegmentPredictions.Group(Predicted(), targets);
            CollectionAssert.AreEqual(new[] { "everyone", "novice", "expert" }, groups.Select(g => g.Label));
            Assert.IsNull(groups[0].Segment);
            CollectionAssert.AreEqual(new[] { "won", "durationSec" }, groups[1].Metrics.Select(m => m.Metric));

            var everyone = groups[0];
            Assert.AreEqual(2, everyone.TargetCount);
            Assert.AreEqual(1, everyone.MetCount, "won 0.58 is within 0.6 ± 0.1; durationSec 420 is not within 300 ± 60");
            Assert.AreEqual(true, everyone.Metrics[0].Met);
            Assert.AreEqual(false, everyone.Metrics[1].Met);

            var novice = groups[1];
            Assert.AreEqual(0.7, novice.Metrics[0].Target.Target);
            Assert.AreEqual(false, novice.Metrics[0].Met, "0.64 is outside 0.7 ± 0.05");
            Assert.IsNull(novice.Metrics[1].Target, "no target for durationSec of novices");
            Assert.IsNull(novice.Metrics[1].Met);
            Assert.AreEqual(1, novice.TargetCount);
            Assert.AreEqual(0, novice.MetCount);
            Assert.AreEqual(0.35, groups[2].Metrics[0].Target.Target, "each segment has its own target");
        }

        [Test]
        public void AValueOnTheToleranceEdgeMeetsTheTarget()
        {
            var metric = new PredictedMetric
            {
                Metric = "won",
                Prediction = new MetricPrediction { Mean = 0.75, Std = 0.01 },
                Target = new TargetDef { Metric = "won", Target = 0.7, Tolerance = 0.05 },
            };
            Assert.AreEqual(true, metric.Met, "|0.75 - 0.7| = 0.05 up to rounding, as the sidecar counts it");
            metric.Prediction.Mean = 0.7501;
            Assert.AreEqual(false, metric.Met);
        }

        [Test]
        public void APredictionReadsTheSameInEveryLocale()
        {
            TestSupport.InCulture("de-DE", () =>
            {
                var groups = SegmentPredictions.Group(Predicted(), new[] { new TargetDef { Metric = "won", Segment = "novice", Target = 0.7, Tolerance = 0.05 } });
                Assert.AreEqual("0.64 ± 0.05, target 0.7 ± 0.05: not met", groups[1].Metrics[0].Describe());
                Assert.AreEqual("0.58 ± 0.03", groups[0].Metrics[0].Describe());
            });
        }

        [Test]
        public void WithoutPopulationColumnsOnlyTheSegmentsShow()
        {
            var groups = SegmentPredictions.Group(new Dictionary<string, MetricPrediction> { { "won@novice", new MetricPrediction { Mean = 0.5 } } }, null);
            CollectionAssert.AreEqual(new[] { "novice" }, groups.Select(g => g.Label));
        }
    }
}
