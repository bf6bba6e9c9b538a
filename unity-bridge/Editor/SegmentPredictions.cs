using System;
using System.Collections.Generic;

namespace Metabalance.Editor
{
    /// <summary>A predicted metric beside its design target, if it has one.</summary>
    public sealed class PredictedMetric
    {
        public string Metric;
        public MetricPrediction Prediction;
        public TargetDef Target;

        /// <summary>The contract's "met" (src/balance/targets.ts): within target ± tolerance, with a rounding hair of slack.</summary>
        public bool? Met
        {
            get
            {
                if (Target == null) return null;
                return Math.Abs(Prediction.Mean - Target.Target) <= Target.Tolerance * (1 + 1e-9);
            }
        }

        /// <summary>"0.612 ± 0.04, target 0.7 ± 0.05: not met", the same in every locale.</summary>
        public string Describe()
        {
            var text = Invariant.Number(Prediction.Mean, "G4") + " ± " + Invariant.Number(Prediction.Std, "G3");
            if (Target == null) return text;
            return text + ", target " + Invariant.Number(Target.Target, "G4") + " ± " + Invariant.Number(Target.Tolerance, "G3") + (Met == true ? ": met" : ": not met");
        }
    }

    /// <summary>One kind of player's predicted metrics: the whole population's, or a segment's.</summary>
    public sealed class SegmentPrediction
    {
        /// <summary>Null for the whole tester population.</summary>
        public string Segment;
        public List<PredictedMetric> Metrics = new List<PredictedMetric>();

        public string Label { get { return Segment ?? TargetEditor.Everyone; } }
        public int TargetCount { get { return Metrics.FindAll(m => m.Target != null).Count; } }
        public int MetCount { get { return Metrics.FindAll(m => m.Met == true).Count; } }
    }

    /// <summary>
    /// A balance or what-if result per kind of player. The sidecar predicts every metric for the
    /// population and, for each segment a target names, METRIC@SEGMENT; the window shows them grouped,
    /// the population first, each metric beside its target.
    /// </summary>
    public static class SegmentPredictions
    {
        public static List<SegmentPrediction> Group(Dictionary<string, MetricPrediction> predicted, IEnumerable<TargetDef> targets)
        {
            var groups = new List<SegmentPrediction> { new SegmentPrediction() };
            foreach (var kv in predicted)
            {
                string metric, segment;
                Split(kv.Key, out metric, out segment);
                var group = groups.Find(g => g.Segment == segment);
                if (group == null)
                {
                    group = new SegmentPrediction { Segment = segment };
                    groups.Add(group);
                }
                group.Metrics.Add(new PredictedMetric { Metric = metric, Prediction = kv.Value, Target = TargetFor(targets, metric, segment) });
            }
            if (groups[0].Metrics.Count == 0) groups.RemoveAt(0);
            return groups;
        }

        /// <summary>A prediction column, METRIC or METRIC@SEGMENT on the wire (a name cannot hold '@').</summary>
        public static void Split(string column, out string metric, out string segment)
        {
            var at = column.IndexOf('@');
            metric = at < 0 ? column : column.Substring(0, at);
            segment = at < 0 ? null : column.Substring(at + 1);
        }

        static TargetDef TargetFor(IEnumerable<TargetDef> targets, string metric, string segment)
        {
            foreach (var t in targets ?? new TargetDef[0]) if (t.Metric == metric && t.Segment == segment) return t;
            return null;
        }
    }
}
