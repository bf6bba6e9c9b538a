using System;
using System.Collections.Generic;
using System.Globalization;
using UnityEditor;
using UnityEngine;
using Object = UnityEngine.Object;

namespace Metabalance.Editor
{
    /// <summary>Window > Metabalance. Draws the controller's state; all logic lives in MetabalanceController.</summary>
    public sealed class MetabalanceWindow : EditorWindow
    {
        MetabalanceController controller;
        ScriptableObject asset;
        Dictionary<string, object> whatIf;
        string whatIfLevel;
        Vector2 scroll;
        bool showLog;
        bool showTesters;

        [MenuItem("Window/Metabalance")]
        public static void Open()
        {
            GetWindow<MetabalanceWindow>("Metabalance").Show();
        }

        void OnEnable()
        {
            controller = new MetabalanceController(MetabalanceSettings.Load());
            controller.Changed += Repaint;
            controller.Restore();
            if (!string.IsNullOrEmpty(controller.Settings.AssetPath))
                asset = AssetDatabase.LoadAssetAtPath<ScriptableObject>(controller.Settings.AssetPath);
            EditorApplication.update += OnEditorUpdate;
        }

        void OnDisable()
        {
            EditorApplication.update -= OnEditorUpdate;
            controller.Dispose();
        }

        void OnEditorUpdate()
        {
            if (controller.Pump() > 0) Repaint();
        }

        void OnGUI()
        {
            var c = controller;
            scroll = EditorGUILayout.BeginScrollView(scroll);
            DrawSidecar(c);
            if (c.Error != null) EditorGUILayout.HelpBox(c.Error, MessageType.Error);
            if (c.Status.Length > 0) EditorGUILayout.HelpBox(c.Status, MessageType.Info);
            DrawAsset(c);
            if (c.Connection == ConnectionState.Connected)
            {
                DrawLevels(c);
                DrawTargets(c);
                DrawTesters(c);
                DrawTraining(c);
                DrawBalance(c);
                DrawWhatIf(c);
                DrawSuggestions(c);
            }
            DrawLog(c);
            EditorGUILayout.EndScrollView();
        }

        void DrawSidecar(MetabalanceController c)
        {
            GUILayout.Label("Sidecar");
            EditorGUILayout.BeginHorizontal();
            EditorGUILayout.LabelField("Project folder", c.Settings.ProjectDir.Length > 0 ? c.Settings.ProjectDir : "(not set)");
            if (GUILayout.Button("Settings", GUILayout.Width(70))) SettingsService.OpenProjectSettings(MetabalanceSettingsProvider.SettingsPath);
            EditorGUILayout.EndHorizontal();
            EditorGUILayout.LabelField("Connection", c.Connection + (c.Server != null ? " — " + c.Server.Project.Name + ", backend " + c.Server.Backend : ""));
            EditorGUILayout.BeginHorizontal();
            if (!c.Sidecar.IsRunning)
            {
                if (GUILayout.Button("Start sidecar")) c.StartSidecar();
            }
            else if (GUILayout.Button("Stop sidecar"))
            {
                c.StopSidecar();
            }
            EditorGUILayout.EndHorizontal();
        }

        void DrawAsset(MetabalanceController c)
        {
            var picked = (ScriptableObject)EditorGUILayout.ObjectField("Balance asset", asset, typeof(ScriptableObject), false);
            if (picked != asset)
            {
                asset = picked;
                c.Settings.AssetPath = asset != null ? AssetDatabase.GetAssetPath(asset) : "";
                MetabalanceSettings.SaveProjectFiles();
            }
            if (asset != null && GUILayout.Button("Write params to project.json")) c.WriteProject(asset);
        }

        void DrawLevels(MetabalanceController c)
        {
            GUILayout.Label("Levels");
            if (c.Levels.Count == 0)
            {
                EditorGUILayout.HelpBox("No levels yet: import them with `metabalance import` or record playtests.", MessageType.None);
                return;
            }
            var labels = new string[c.Levels.Count];
            var selected = 0;
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = c.Levels[i].Id + " (" + c.Levels[i].PlaytestCount + " playtests)";
                if (c.Levels[i].Id == c.SelectedLevelId) selected = i;
            }
            c.SelectedLevelId = c.Levels[EditorGUILayout.Popup("Level", selected, labels)].Id;
        }

        void DrawTargets(MetabalanceController c)
        {
            GUILayout.Label("Design targets" + (c.Targets.IsDirty ? " (unsaved)" : ""));
            var t = c.Targets;
            if (!t.Loaded)
            {
                EditorGUILayout.HelpBox("Reading project.json ...", MessageType.None);
                return;
            }
            EditorGUILayout.BeginHorizontal();
            GUILayout.Label("metric", GUILayout.Width(MetricWidth));
            GUILayout.Label("segment", GUILayout.Width(MetricWidth));
            GUILayout.Label("target", GUILayout.Width(NumberWidth));
            GUILayout.Label("± tolerance", GUILayout.Width(NumberWidth));
            GUILayout.Label("weight", GUILayout.Width(NumberWidth));
            EditorGUILayout.EndHorizontal();
            var problems = t.Validate();
            var remove = -1;
            // Delayed fields hand over a number once it is entered (Return or focus lost): one Undo step per
            // value typed, not per keystroke.
            for (var i = 0; i < t.Rows.Count; i++)
            {
                var row = t.Rows[i];
                var index = i;
                EditorGUILayout.BeginHorizontal();
                var metrics = t.MetricChoices(i);
                var metric = metrics.Length == 0 ? row.Metric : metrics[EditorGUILayout.Popup(Math.Max(0, Array.IndexOf(metrics, row.Metric)), metrics, GUILayout.Width(MetricWidth))];
                if (metric != row.Metric) c.EditTargets("Change target metric", e => e.SetMetric(index, metric));
                var segments = t.SegmentChoices(i);
                var segment = segments[EditorGUILayout.Popup(Math.Max(0, Array.IndexOf(segments, TargetEditor.SegmentName(row))), segments, GUILayout.Width(MetricWidth))];
                if (segment != TargetEditor.SegmentName(row)) c.EditTargets("Change target segment", e => e.SetSegment(index, segment));
                var target = EditorGUILayout.DelayedDoubleField(row.Target, GUILayout.Width(NumberWidth));
                if (target != row.Target) c.EditTargets("Change target", e => e.SetTarget(index, target));
                var tolerance = EditorGUILayout.DelayedDoubleField(row.Tolerance, GUILayout.Width(NumberWidth));
                if (tolerance != row.Tolerance) c.EditTargets("Change target tolerance", e => e.SetTolerance(index, tolerance));
                var weight = EditorGUILayout.DelayedDoubleField(row.Weight ?? 1, GUILayout.Width(NumberWidth));
                if (weight != (row.Weight ?? 1)) c.EditTargets("Change target weight", e => e.SetWeight(index, weight));
                if (GUILayout.Button("Remove", GUILayout.Width(60))) remove = i;
                EditorGUILayout.EndHorizontal();
                foreach (var p in problems) if (p.Row == i) EditorGUILayout.HelpBox(p.ToString(), MessageType.Warning);
            }
            // Removed after the loop: the rows drawn must stay the rows laid out in this event.
            if (remove >= 0) c.EditTargets("Remove target", e => e.Remove(remove));
            EditorGUILayout.BeginHorizontal();
            if (GUILayout.Button("Add target")) c.EditTargets("Add target", e => e.Add());
            EditorGUI.BeginDisabledGroup(!t.IsDirty);
            if (GUILayout.Button("Revert")) c.EditTargets("Revert targets", e => e.Revert());
            EditorGUI.EndDisabledGroup();
            EditorGUI.BeginDisabledGroup(!t.IsDirty || c.Busy || problems.Count > 0);
            if (GUILayout.Button("Save to project.json")) c.SaveTargets();
            EditorGUI.EndDisabledGroup();
            EditorGUILayout.EndHorizontal();
        }

        void DrawTesters(MetabalanceController c)
        {
            showTesters = EditorGUILayout.Foldout(showTesters, "Testers");
            if (!showTesters) return;
            EditorGUI.BeginDisabledGroup(c.Busy);
            if (GUILayout.Button("Classify testers")) c.ClassifyTesters();
            EditorGUI.EndDisabledGroup();
            if (c.TesterSegments == null) return;
            if (c.TesterSegments.Testers.Count == 0) EditorGUILayout.HelpBox("No playtests with a tester id yet.", MessageType.None);
            foreach (var t in c.TesterSegments.Testers) EditorGUILayout.LabelField("  " + t.Tester, DescribeTester(t));
        }

        /// <summary>"novice (declared), 12 playtests" or "expert (inferred, 83 %), 3 playtests".</summary>
        public static string DescribeTester(TesterSegment t)
        {
            var how = t.Declared ? "declared" : "inferred, " + Invariant.Number(100 * t.Confidence, "0") + " %";
            return t.Segment + " (" + how + "), " + t.Playtests + (t.Playtests == 1 ? " playtest" : " playtests");
        }

        const float MetricWidth = 110;
        const float NumberWidth = 70;

        void DrawTraining(MetabalanceController c)
        {
            GUILayout.Label("Meta-model");
            EditorGUI.BeginChangeCheck();
            c.Settings.TrainSteps = EditorGUILayout.IntField("Training steps", c.Settings.TrainSteps);
            if (EditorGUI.EndChangeCheck()) MetabalanceSettings.SaveProjectFiles();
            if (c.Training)
            {
                var p = c.Progress;
                var text = p == null ? "starting ..." : "step " + p.Step + "/" + p.Total + (p.Loss.HasValue ? ", loss " + Invariant.Number(p.Loss.Value, "0.000") : "") +
                                                         (p.EtaSec.HasValue ? ", " + Invariant.Number(Math.Ceiling(p.EtaSec.Value)) + " s left" : "");
                EditorGUI.ProgressBar(GUILayoutUtility.GetRect(100, 10000, 18, 18), c.TrainingFraction, text);
                if (GUILayout.Button("Cancel training")) c.CancelTraining();
            }
            else if (GUILayout.Button("Train"))
            {
                c.Train();
            }
        }

        void DrawBalance(MetabalanceController c)
        {
            GUILayout.Label("Balance");
            EditorGUI.BeginChangeCheck();
            c.Settings.AllowGeneration = EditorGUILayout.Toggle("Also change generation params", c.Settings.AllowGeneration);
            // 0: only the targets count; higher: smaller changes (the model is least sure far from what was playtested)
            c.Settings.StayNear = EditorGUILayout.Slider("Stay near current values", c.Settings.StayNear, 0f, 50f);
            if (EditorGUI.EndChangeCheck()) MetabalanceSettings.SaveProjectFiles();
            EditorGUI.BeginDisabledGroup(c.Busy || c.SelectedLevelId == null);
            if (GUILayout.Button("Balance " + (c.SelectedLevelId ?? "level"))) c.Balance();
            EditorGUI.EndDisabledGroup();
            var r = c.LastBalance;
            if (r == null) return;
            EditorGUILayout.LabelField("Level " + r.LevelId, "pMeet " + Invariant.Number(r.PMeet, "0.00") + ", from " + r.PlaytestCount + " playtests" +
                                                              (r.PlaytestsToConfirm > 0 ? "; about " + r.PlaytestsToConfirm + " more here to be sure" : ""));
            EditorGUILayout.LabelField(r.KeptCurrent
                ? "Keep the current settings: no change found is more likely to meet the targets (best change: pMeet " + Invariant.Number(r.ChangePMeet, "0.00") + ")"
                : r.MeetsTargets ? "Meets the targets as predicted" : "Targets not met as predicted: playtest the suggestions, then balance again");
            foreach (var kv in r.Params)
            {
                object now;
                var shown = ParamValues.Format(kv.Value);
                if (r.Current.TryGetValue(kv.Key, out now) && ParamValues.Format(now) != shown) shown = ParamValues.Format(now) + " → " + shown;
                EditorGUILayout.LabelField(kv.Key, shown);
            }
            DrawPredicted(c, r.Predicted);
            EditorGUI.BeginDisabledGroup(asset == null);
            var targets = asset != null ? ApplyTargets() : new ScriptableObject[0];
            if (GUILayout.Button(targets.Length > 1 ? "Apply to the " + targets.Length + " selected assets (undoable)" : "Apply to the balance asset (undoable)")) c.Apply(targets);
            EditorGUI.EndDisabledGroup();
        }

        /// <summary>The balance asset, or every selected asset of its type when it is among them (multi-object editing).</summary>
        ScriptableObject[] ApplyTargets()
        {
            var selected = new List<ScriptableObject>();
            foreach (var o in Selection.objects ?? new Object[0])
                if (o != null && o.GetType() == asset.GetType()) selected.Add((ScriptableObject)o);
            return selected.Contains(asset) ? selected.ToArray() : new[] { asset };
        }

        void DrawWhatIf(MetabalanceController c)
        {
            if (asset == null || c.SelectedLevelId == null) return;
            GUILayout.Label("What if");
            if (whatIf == null || whatIfLevel != c.SelectedLevelId)
            {
                whatIf = c.LastBalance != null && c.LastBalance.LevelId == c.SelectedLevelId
                    ? new Dictionary<string, object>(c.LastBalance.Params)
                    : BalanceAsset.ReadValues(asset);
                whatIfLevel = c.SelectedLevelId;
            }
            var changed = false;
            foreach (var field in BalanceAsset.Fields(asset.GetType()))
            {
                object current;
                if (!whatIf.TryGetValue(field.Name, out current)) current = ParamValues.ToWire(field.Info.GetValue(asset));
                object next = current;
                var type = field.Info.FieldType;
                if (type == typeof(float)) next = (double)EditorGUILayout.Slider(field.Name, Convert.ToSingle(current, CultureInfo.InvariantCulture), field.Range.min, field.Range.max);
                else if (type == typeof(int)) next = (long)EditorGUILayout.IntSlider(field.Name, Convert.ToInt32(current, CultureInfo.InvariantCulture), (int)field.Range.min, (int)field.Range.max);
                else if (type == typeof(bool)) next = EditorGUILayout.Toggle(field.Name, Convert.ToBoolean(current, CultureInfo.InvariantCulture));
                else
                {
                    var names = Enum.GetNames(type);
                    next = names[EditorGUILayout.Popup(field.Name, Math.Max(0, Array.IndexOf(names, Convert.ToString(current, CultureInfo.InvariantCulture))), names)];
                }
                if (!Equals(next, current))
                {
                    whatIf[field.Name] = next;
                    changed = true;
                }
            }
            if (changed) c.Predict(new Dictionary<string, object>(whatIf));
            if (c.LastPrediction != null)
            {
                EditorGUILayout.LabelField("Prediction", (c.LastPrediction.MeetsTargets ? "meets the targets" : "targets not met") + ", pMeet " +
                                                         Invariant.Number(c.LastPrediction.PMeet, "0.00"));
                DrawPredicted(c, c.LastPrediction.Predicted);
            }
        }

        void DrawSuggestions(MetabalanceController c)
        {
            GUILayout.Label("Next playtests");
            EditorGUI.BeginDisabledGroup(c.Busy || c.SelectedLevelId == null);
            if (GUILayout.Button("Suggest")) c.Suggest();
            EditorGUI.EndDisabledGroup();
            foreach (var s in c.Suggestions)
            {
                var values = new List<string>();
                foreach (var kv in s.Params) values.Add(kv.Key + "=" + ParamValues.Format(kv.Value));
                EditorGUILayout.LabelField("pMeet " + Invariant.Number(s.PMeet, "0.00"), string.Join(", ", values.ToArray()));
                EditorGUILayout.LabelField("", s.Reason);
            }
        }

        /// <summary>Per kind of player (everyone, then each targeted segment), each metric beside the saved target it is balanced for.</summary>
        static void DrawPredicted(MetabalanceController c, Dictionary<string, MetricPrediction> predicted)
        {
            foreach (var group in SegmentPredictions.Group(predicted, c.Targets.Saved))
            {
                EditorGUILayout.LabelField("  " + group.Label, group.TargetCount == 0 ? "no targets" : group.MetCount + " of " + group.TargetCount + " targets met");
                foreach (var m in group.Metrics) EditorGUILayout.LabelField("    " + m.Metric, m.Describe());
            }
        }

        void DrawLog(MetabalanceController c)
        {
            showLog = EditorGUILayout.Toggle("Show sidecar log", showLog);
            if (showLog) EditorGUILayout.TextArea(string.Join("\n", c.Sidecar.LogTail()));
        }
    }
}
