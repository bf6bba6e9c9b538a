using System;
using System.Collections.Generic;
using Newtonsoft.Json;

namespace Metabalance.Editor
{
    /// <summary>One thing wrong with a target row, named as the sidecar names project.json's fields.</summary>
    public sealed class TargetProblem
    {
        public readonly int Row;
        public readonly string Field;
        public readonly string Message;

        public TargetProblem(int row, string key, string message)
        {
            Row = row;
            Field = "targets[" + Invariant.Number(row) + "]." + key;
            Message = message;
        }

        public override string ToString() { return Field + ": " + Message; }
    }

    /// <summary>
    /// The design targets as the window edits them: project.json's targets as rows, the metric and
    /// segment names a row can pick, and the targets as last loaded or saved (so unsaved edits show
    /// and survive a failed save). No Unity API: the window draws it, TargetsUndo records it for
    /// Undo, the controller loads and saves it through the sidecar.
    /// </summary>
    public sealed class TargetEditor
    {
        /// <summary>The segment popup's entry for a target without a segment (the whole tester population).</summary>
        public const string Everyone = "everyone";

        // Serialized whole for SessionState (an unsaved draft outlives a domain reload); the rows
        // alone for Undo, which must not undo a load or a save.
        sealed class State
        {
            [JsonProperty("rows")] public List<TargetDef> Rows = new List<TargetDef>();
            [JsonProperty("saved")] public List<TargetDef> Saved = new List<TargetDef>();
            [JsonProperty("metrics")] public List<string> Metrics = new List<string>();
            [JsonProperty("segments")] public List<string> Segments = new List<string>();
        }

        State state = new State();

        public IReadOnlyList<TargetDef> Rows { get { return state.Rows.AsReadOnly(); } }
        /// <summary>The targets project.json held when last loaded or saved.</summary>
        public IReadOnlyList<TargetDef> Saved { get { return state.Saved.AsReadOnly(); } }
        public IReadOnlyList<string> Metrics { get { return state.Metrics.AsReadOnly(); } }
        public IReadOnlyList<string> Segments { get { return state.Segments.AsReadOnly(); } }
        public bool Loaded { get { return state.Metrics.Count > 0; } }

        /// <summary>True when the rows differ from what project.json holds.</summary>
        public bool IsDirty { get { return Json.Serialize(state.Rows) != Json.Serialize(state.Saved); } }

        /// <summary>Takes the project's metrics and segments; takes its targets too unless there are
        /// unsaved edits (another client's change must not wipe the designer's work).</summary>
        public void Load(ProjectFile project)
        {
            var dirty = IsDirty;
            state.Metrics = new List<string>();
            foreach (var m in project.Metrics) state.Metrics.Add(m.Name);
            state.Segments = new List<string>();
            foreach (var g in project.Segments ?? new List<SegmentDef>()) state.Segments.Add(g.Name);
            state.Saved = Copy(project.Targets);
            if (!dirty) state.Rows = Copy(project.Targets);
        }

        /// <summary>The project with its targets replaced by the rows; everything else as given.</summary>
        public ProjectFile ApplyTo(ProjectFile project)
        {
            var copy = Json.Deserialize<ProjectFile>(Json.Serialize(project));
            copy.Targets = Copy(state.Rows);
            return copy;
        }

        // ---- editing ----

        /// <summary>Adds a row for the first metric and segment without a target; its numbers are copied
        /// from the metric's population target when there is one (a segment's target usually starts there).</summary>
        public int Add()
        {
            if (!Loaded) throw new InvalidOperationException("load the project's targets first");
            var row = new TargetDef { Metric = state.Metrics[0], Target = 0, Tolerance = 1 };
            foreach (var metric in state.Metrics)
            {
                var free = FirstFreeSegment(metric);
                if (free == null) continue;
                row.Metric = metric;
                row.Segment = free.Length == 0 ? null : free;
                break;
            }
            var population = Find(row.Metric, null);
            if (population != null)
            {
                row.Target = population.Target;
                row.Tolerance = population.Tolerance;
            }
            state.Rows.Add(row);
            return state.Rows.Count - 1;
        }

        public void Remove(int row)
        {
            Check(row);
            state.Rows.RemoveAt(row);
        }

        public void SetMetric(int row, string metric)
        {
            Check(row);
            state.Rows[row].Metric = metric;
        }

        /// <summary>Null, "" or <see cref="Everyone"/>: the whole tester population.</summary>
        public void SetSegment(int row, string segment)
        {
            Check(row);
            state.Rows[row].Segment = string.IsNullOrEmpty(segment) || segment == Everyone ? null : segment;
        }

        public void SetTarget(int row, double target)
        {
            Check(row);
            state.Rows[row].Target = target;
        }

        public void SetTolerance(int row, double tolerance)
        {
            Check(row);
            state.Rows[row].Tolerance = tolerance;
        }

        /// <summary>Weight 1 is the default: it is left out of project.json.</summary>
        public void SetWeight(int row, double weight)
        {
            Check(row);
            state.Rows[row].Weight = weight == 1 ? (double?)null : weight;
        }

        /// <summary>Back to what project.json holds.</summary>
        public void Revert()
        {
            state.Rows = Copy(state.Saved);
        }

        // ---- popups ----

        /// <summary>The metric popup's entries for a row: the project's metrics, and the row's own
        /// metric when the project no longer declares it (so the popup does not silently change it).</summary>
        public string[] MetricChoices(int row)
        {
            Check(row);
            return WithCurrent(state.Metrics, state.Rows[row].Metric);
        }

        /// <summary>"everyone", then the project's segments (and the row's own when undeclared).</summary>
        public string[] SegmentChoices(int row)
        {
            Check(row);
            var names = new List<string> { Everyone };
            names.AddRange(state.Segments);
            return WithCurrent(names, SegmentName(state.Rows[row]));
        }

        public static string SegmentName(TargetDef target)
        {
            return target.Segment ?? Everyone;
        }

        // ---- validation ----

        /// <summary>What the sidecar would refuse in a row on its own, or with another row; the sidecar
        /// still checks the whole project (names, a rate's range) when it is saved.</summary>
        public List<TargetProblem> Validate()
        {
            var problems = new List<TargetProblem>();
            var first = new Dictionary<string, int>();
            for (var i = 0; i < state.Rows.Count; i++)
            {
                var t = state.Rows[i];
                if (string.IsNullOrEmpty(t.Metric)) problems.Add(new TargetProblem(i, "metric", "choose a metric"));
                if (double.IsNaN(t.Target) || double.IsInfinity(t.Target)) problems.Add(new TargetProblem(i, "target", "must be a finite number"));
                if (!(t.Tolerance > 0) || double.IsInfinity(t.Tolerance)) problems.Add(new TargetProblem(i, "tolerance", "must be a finite number greater than 0 (got " + Invariant.Number(t.Tolerance) + ")"));
                if (t.Weight.HasValue && (!(t.Weight.Value > 0) || double.IsInfinity(t.Weight.Value)))
                    problems.Add(new TargetProblem(i, "weight", "must be a finite number greater than 0 (got " + Invariant.Number(t.Weight.Value) + ")"));
                var key = t.Metric + "@" + SegmentName(t);
                int prev;
                if (first.TryGetValue(key, out prev))
                    problems.Add(new TargetProblem(i, "metric", "a target for " + t.Metric + " (" + SegmentName(t) + ") is already at targets[" + Invariant.Number(prev) + "]"));
                else first[key] = i;
            }
            return problems;
        }

        // ---- state for SessionState and Undo ----

        public string ToJson() { return Json.Serialize(state); }

        public void FromJson(string json) { state = Json.Deserialize<State>(json); }

        public string RowsToJson() { return Json.Serialize(state.Rows); }

        public void RowsFromJson(string json) { state.Rows = Json.Deserialize<List<TargetDef>>(json); }

        // ---- helpers ----

        TargetDef Find(string metric, string segment)
        {
            foreach (var t in state.Rows) if (t.Metric == metric && t.Segment == segment) return t;
            return null;
        }

        /// <summary>"" for everyone, a segment's name, or null when every one has a target for the metric.</summary>
        string FirstFreeSegment(string metric)
        {
            if (Find(metric, null) == null) return "";
            foreach (var s in state.Segments) if (Find(metric, s) == null) return s;
            return null;
        }

        static string[] WithCurrent(List<string> names, string current)
        {
            var all = new List<string>(names);
            if (!string.IsNullOrEmpty(current) && !all.Contains(current)) all.Add(current);
            return all.ToArray();
        }

        // The sidecar spells out weight 1 in what it returns; a row leaves it out (SetWeight), so both
        // read the same and an unchanged target is not an edit.
        static List<TargetDef> Copy(List<TargetDef> targets)
        {
            var copy = targets == null ? new List<TargetDef>() : Json.Deserialize<List<TargetDef>>(Json.Serialize(targets));
            foreach (var t in copy) if (t.Weight == 1) t.Weight = null;
            return copy;
        }

        void Check(int row)
        {
            if (row < 0 || row >= state.Rows.Count) throw new ArgumentOutOfRangeException("row", "no target row " + row + " (there are " + state.Rows.Count + ")");
        }
    }
}
