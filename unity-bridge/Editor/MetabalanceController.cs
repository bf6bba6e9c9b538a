using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using UnityEditor;
using UnityEngine;

namespace Metabalance.Editor
{
    /// <summary>
    /// Everything the Metabalance window does, without the drawing: sidecar lifetime, connection,
    /// levels, training, balancing, what-if predictions, suggestions, applying params to the balance
    /// asset, and the design targets (edited in <see cref="Targets"/> through <see cref="EditTargets"/>,
    /// saved with project.update). All state changes happen on the thread that calls <see cref="Pump"/>
    /// (the editor's update loop), so the window only reads its properties. Session state (the running
    /// sidecar, selection, job, last result, unsaved targets) lives in SessionState to survive domain reloads.
    /// </summary>
    public sealed class MetabalanceController : IDisposable
    {
        public const string SessionListening = "Metabalance.Listening";
        public const string SessionLevel = "Metabalance.SelectedLevel";
        public const string SessionJob = "Metabalance.JobId";
        public const string SessionBalance = "Metabalance.LastBalance";
        public const string SessionTargets = "Metabalance.UnsavedTargets";

        readonly MetabalanceClientOptions clientOptions;
        readonly Func<IRpcTransport> transportFactory;
        readonly TargetsUndo targetsUndo;
        MetabalanceClient client;
        int inFlight;
        bool predicting;
        Dictionary<string, object> queuedPrediction;
        List<ParamDef> unwrittenParams;
        string selectedLevelId;

        List<LevelSummary> levels = new List<LevelSummary>();
        List<Suggestion> suggestions = new List<Suggestion>();

        /// <summary>Raised on the pumping thread whenever something the window shows changed.</summary>
        public event Action Changed;

        public MetabalanceController(MetabalanceSettings settings, SidecarLauncher sidecar = null,
            MetabalanceClientOptions clientOptions = null, Func<IRpcTransport> transportFactory = null)
        {
            Settings = settings;
            Sidecar = sidecar ?? new SidecarLauncher();
            this.clientOptions = clientOptions;
            this.transportFactory = transportFactory;
            Status = "";
            MainThread.CallbackFailed += e => Fail(e);
            targetsUndo = TargetsUndo.For(Targets);
            targetsUndo.Restored += TargetsChanged;
        }

        // State is changed only by the controller (on the pumping thread); the window reads it.
        public MainThreadQueue MainThread { get; } = new MainThreadQueue();
        public MetabalanceSettings Settings { get; }
        public SidecarLauncher Sidecar { get; }
        public ConnectionState Connection { get; private set; }
        public InitializeResult Server { get; private set; }
        public IReadOnlyList<LevelSummary> Levels { get { return levels.AsReadOnly(); } }
        public string JobId { get; private set; }
        public string JobState { get; private set; }
        public JobProgress Progress { get; private set; }
        public BalanceResult LastBalance { get; private set; }
        public LevelPredictResult LastPrediction { get; private set; }
        public IReadOnlyList<Suggestion> Suggestions { get { return suggestions.AsReadOnly(); } }
        /// <summary>The last testers.classify answer: each tester's segment, declared or inferred.</summary>
        public TestersClassifyResult TesterSegments { get; private set; }
        /// <summary>project.json's design targets being edited; change them through <see cref="EditTargets"/> (Undo).</summary>
        public TargetEditor Targets { get; } = new TargetEditor();
        public string Status { get; private set; }
        public string Error { get; private set; }

        public MetabalanceClient Client { get { return client; } }
        public bool Busy { get { return inFlight > 0; } }
        public bool Training { get { return JobId != null && JobState == JobStates.Running; } }

        public string SelectedLevelId
        {
            get { return selectedLevelId; }
            set
            {
                if (selectedLevelId == value) return;
                selectedLevelId = value;
                LastPrediction = null;
                suggestions = new List<Suggestion>();
                SessionState.SetString(SessionLevel, value ?? "");
                Notify();
            }
        }

        /// <summary>Runs queued callbacks; call from EditorApplication.update. Returns how many ran.</summary>
        public int Pump() { return MainThread.Pump(); }

        // ---- session (domain reloads) ----

        /// <summary>Picks up after a domain reload: selection, job, last result, and the sidecar if it still runs.</summary>
        public void Restore()
        {
            var level = SessionState.GetString(SessionLevel, "");
            selectedLevelId = level.Length > 0 ? level : null;
            var job = SessionState.GetString(SessionJob, "");
            JobId = job.Length > 0 ? job : null;
            if (JobId != null) JobState = JobStates.Running;
            var balance = SessionState.GetString(SessionBalance, "");
            LastBalance = balance.Length > 0 ? Json.Deserialize<BalanceResult>(balance) : null;
            var targets = SessionState.GetString(SessionTargets, "");
            if (targets.Length > 0)
            {
                Targets.FromJson(targets);
                targetsUndo.Sync();
            }
            var listening = SessionState.GetString(SessionListening, "");
            if (listening.Length > 0)
            {
                var info = Json.Deserialize<ListeningInfo>(listening);
                if (Sidecar.Attach(info)) ConnectTo(info);
                else SessionState.EraseString(SessionListening);
            }
        }

        // ---- sidecar and connection ----

        public void StartSidecar()
        {
            Error = null;
            Status = "starting the sidecar ...";
            Notify();
            Task<ListeningInfo> start;
            try
            {
                start = Sidecar.StartAsync(Settings.ToLaunchSettings(), TimeSpan.FromSeconds(60));
            }
            catch (Exception e)
            {
                StartFailed(e);
                return;
            }
            start.ContinueWith(task => MainThread.Post(() =>
            {
                if (task.IsFaulted)
                {
                    StartFailed(task.Exception);
                    return;
                }
                Status = "sidecar listening on " + task.Result.Rpc;
                ConnectTo(task.Result);
            }));
        }

        void StartFailed(Exception e)
        {
            unwrittenParams = null;
            Status = "";
            Fail(e);
        }

        public void StopSidecar()
        {
            Disconnect();
            Sidecar.Stop();
            SessionState.EraseString(SessionListening);
            MetabalanceSession.EndpointProvider = null;
            Status = "sidecar stopped";
            Notify();
        }

        /// <summary>Connects to a listening sidecar; the token is re-read on every (re)connect.</summary>
        public void ConnectTo(ListeningInfo info)
        {
            SessionState.SetString(SessionListening, Json.Serialize(info));
            Func<SidecarEndpoint> endpoint = () => SidecarLauncher.EndpointOf(info);
            MetabalanceSession.EndpointProvider = endpoint;
            Connect(endpoint);
        }

        public void Connect(Func<SidecarEndpoint> endpoint)
        {
            Disconnect();
            var c = new MetabalanceClient(endpoint, MainThread, clientOptions, transportFactory);
            client = c;
            c.StateChanged += s =>
            {
                if (client != c) return;
                Connection = s;
                if (s == ConnectionState.Connected) OnConnected();
                Notify();
            };
            c.JobProgressReceived += OnProgress;
            c.JobFinishedReceived += OnFinished;
            c.ProjectChangedReceived += changed =>
            {
                if (changed.What == "project") LoadTargets();
                else RefreshLevels();
            };
            c.Warning += w => { Status = w; Notify(); };
            c.ConnectAsync().ContinueWith(t => MainThread.Post(() =>
            {
                if (t.IsFaulted && client == c) Fail(t.Exception);
            }));
        }

        public void Disconnect()
        {
            if (client == null) return;
            client.Dispose();
            client = null;
            Connection = ConnectionState.Disconnected;
            inFlight = 0;
        }

        void OnConnected()
        {
            Server = client.Server;
            Error = null;
            RefreshLevels();
            LoadTargets();
            if (unwrittenParams != null) UpdateProject();
            // A job may have finished while the editor was reloading, when no notification could arrive.
            if (JobId != null)
            {
                var job = JobId;
                Request<JobStatusResult>(Methods.JobStatus, new JobStatusParams { JobId = job }, s =>
                {
                    if (job != JobId) return;
                    JobState = s.State;
                    if (s.State == JobStates.Running) Progress = new JobProgress { JobId = s.JobId, Step = s.Step, Total = s.Total, Loss = s.Loss, ValLoss = s.ValLoss, EtaSec = s.EtaSec };
                    else FinishJob(new JobFinished { JobId = s.JobId, State = s.State, Result = s.Result, Error = s.Error });
                }, e => { ForgetJob(); Fail(e); });
            }
        }

        // ---- levels and project ----

        public void RefreshLevels()
        {
            Request<LevelsListResult>(Methods.LevelsList, new EmptyParams(), r =>
            {
                levels = r.Levels;
                if (selectedLevelId == null && levels.Count > 0) SelectedLevelId = levels[levels.Count - 1].Id;
            });
        }

        /// <summary>Writes the asset's params into project.json, always through the sidecar: its store
        /// holds the project's lock, validates the definition and tells other clients. When no sidecar
        /// runs, one is started and the params are written once it is connected.</summary>
        public void WriteProject(ScriptableObject asset)
        {
            List<ParamDef> defs;
            try
            {
                defs = BalanceAsset.Describe(asset);
            }
            catch (Exception e)
            {
                Fail(e);
                return;
            }
            if (defs.Count == 0)
            {
                Fail(new MetabalanceException(asset.GetType().Name + " has no [Range] float/int, bool or enum fields to balance"));
                return;
            }
            unwrittenParams = defs;
            if (client != null && Connection == ConnectionState.Connected) UpdateProject();
            else if (client != null) Status = "project.json is written once the sidecar is connected again";
            else if (Sidecar.IsRunning) ConnectTo(Sidecar.Listening);
            else StartSidecar();
            Notify();
        }

        void UpdateProject()
        {
            var defs = unwrittenParams;
            unwrittenParams = null;
            Request<ProjectGetResult>(Methods.ProjectGet, new EmptyParams(), got =>
                Request<ProjectUpdateResult>(Methods.ProjectUpdate, new ProjectUpdateParams { Project = BalanceAsset.MergeParams(got.Project, defs) },
                    updated =>
                    {
                        Status = "project.json now has " + updated.Project.Params.Count + " params";
                        TargetsLoaded(updated.Project);
                    }));
        }

        // ---- design targets ----

        /// <summary>Reads the project's targets, metrics and segments; unsaved target edits are kept.</summary>
        public void LoadTargets()
        {
            Request<ProjectGetResult>(Methods.ProjectGet, new EmptyParams(), got => TargetsLoaded(got.Project));
        }

        /// <summary>One edit of the targets, one Undo step named <paramref name="action"/>.</summary>
        public void EditTargets(string action, Action<TargetEditor> edit)
        {
            try
            {
                targetsUndo.Edit(action, edit);
            }
            catch (ArgumentException e)
            {
                Fail(e);
                return;
            }
            catch (InvalidOperationException e)
            {
                Fail(e);
                return;
            }
            TargetsChanged();
        }

        /// <summary>Writes the edited targets into project.json through the sidecar, leaving the rest of
        /// the project as the sidecar has it now. Rows the sidecar would refuse are not sent; when it
        /// refuses the project, its error (naming the field) is shown and the edits stay.</summary>
        public void SaveTargets()
        {
            var problems = Targets.Validate();
            if (problems.Count > 0)
            {
                Fail(new MetabalanceException("targets not saved: " + string.Join("; ", problems.ConvertAll(p => p.ToString()).ToArray())));
                return;
            }
            Action<Exception> refused = e => Fail(new MetabalanceException("targets not saved: " + MetabalanceClient.Unwrap(e).Message, e));
            Request<ProjectGetResult>(Methods.ProjectGet, new EmptyParams(), got =>
                Request<ProjectUpdateResult>(Methods.ProjectUpdate, new ProjectUpdateParams { Project = Targets.ApplyTo(got.Project) }, updated =>
                {
                    Error = null;
                    Status = "project.json now has " + (updated.Project.Targets ?? new List<TargetDef>()).Count + " targets";
                    TargetsLoaded(updated.Project);
                }, refused), refused);
        }

        /// <summary>Asks which segment every tester belongs to: declared in project.json, or inferred
        /// by the model from its playtests, with the confidence of that guess.</summary>
        public void ClassifyTesters()
        {
            Request<TestersClassifyResult>(Methods.TestersClassify, new TestersClassifyParams(), r => TesterSegments = r);
        }

        void TargetsLoaded(ProjectFile project)
        {
            Targets.Load(project);
            targetsUndo.Sync();
            TargetsChanged();
        }

        // An unsaved draft lives in SessionState: it outlives a domain reload and a closed window.
        void TargetsChanged()
        {
            if (Targets.IsDirty) SessionState.SetString(SessionTargets, Targets.ToJson());
            else SessionState.EraseString(SessionTargets);
            Notify();
        }

        // ---- training ----

        public void Train()
        {
            Progress = null;
            Request<ModelTrainResult>(Methods.ModelTrain, new ModelTrainParams { Steps = Settings.TrainSteps > 0 ? (int?)Settings.TrainSteps : null }, r =>
            {
                JobId = r.JobId;
                JobState = JobStates.Running;
                // The sidecar announces a job's first progress before it answers model.train.
                if (Progress != null && Progress.JobId != r.JobId) Progress = null;
                SessionState.SetString(SessionJob, r.JobId);
                Status = "training (" + r.JobId + ")";
            });
        }

        public void CancelTraining()
        {
            if (JobId == null) return;
            Request<JobCancelResult>(Methods.JobCancel, new JobCancelParams { JobId = JobId }, r => { if (r.JobId == JobId) JobState = r.State; });
        }

        /// <summary>Training progress in [0, 1] for the progress bar.</summary>
        public float TrainingFraction { get { return Progress == null || Progress.Total <= 0 ? 0f : Math.Min(1f, (float)Progress.Step / Progress.Total); } }

        void OnProgress(JobProgress p)
        {
            if (JobId != null && p.JobId != JobId) return;
            Progress = p;
            Notify();
        }

        void OnFinished(JobFinished f)
        {
            if (JobId == null || f.JobId != JobId) return;
            FinishJob(f);
        }

        void FinishJob(JobFinished f)
        {
            JobState = f.State;
            if (f.State == JobStates.Succeeded && f.Result != null) Status = "trained model " + f.Result.ModelId;
            else if (f.State == JobStates.Failed) Error = "training failed: " + (f.Error != null ? f.Error.Message : "unknown error");
            else if (f.State == JobStates.Cancelled) Status = "training cancelled";
            SessionState.EraseString(SessionJob);
            Notify();
        }

        void ForgetJob()
        {
            JobId = null;
            JobState = null;
            SessionState.EraseString(SessionJob);
        }

        // ---- balance, what-if, suggest ----

        public void Balance()
        {
            var level = RequireLevel();
            if (level == null) return;
            Request<BalanceResult>(Methods.LevelBalance, new LevelBalanceParams { LevelId = level, AllowGeneration = Settings.AllowGeneration ? (bool?)true : null, StayNear = Settings.StayNear }, r =>
            {
                LastBalance = r;
                LastPrediction = null;
                SessionState.SetString(SessionBalance, Json.Serialize(r));
                Status = "balanced " + r.LevelId + (r.KeptCurrent ? ": keep the current settings" : r.MeetsTargets ? ": meets the targets" : ": targets not met") + " (pMeet " + Invariant.Number(r.PMeet, "0.00") + ")";
            });
        }

        /// <summary>Applies the last balance result to the assets (all of one type) as one Undo step.</summary>
        public List<string> Apply(params ScriptableObject[] assets)
        {
            if (LastBalance == null)
            {
                Fail(new MetabalanceException("balance a level first"));
                return new List<string>();
            }
            List<string> changed;
            try
            {
                changed = BalanceAsset.Apply(assets, LastBalance.Params, "Apply metabalance params (" + LastBalance.LevelId + ")");
            }
            catch (ArgumentException e)
            {
                Fail(e);
                return new List<string>();
            }
            var what = assets.Length == 1 ? "the asset" : assets.Length + " assets";
            Status = changed.Count == 0 ? what + " already has these values" : "applied " + string.Join(", ", changed.ToArray()) + " to " + what;
            Notify();
            return changed;
        }

        /// <summary>What-if: predicts the selected level's metrics at these values. While one
        /// prediction is in flight only the newest further request is kept (sliders send many).</summary>
        public void Predict(Dictionary<string, object> values)
        {
            var level = RequireLevel();
            if (level == null) return;
            if (predicting)
            {
                queuedPrediction = values;
                return;
            }
            predicting = true;
            Request<LevelPredictResult>(Methods.LevelPredict, new LevelPredictParams { LevelId = level, Params = ParamValues.ToWire(values) }, r =>
            {
                LastPrediction = r;
                NextPrediction();
            }, e =>
            {
                Fail(e);
                NextPrediction();
            });
        }

        void NextPrediction()
        {
            predicting = false;
            var next = queuedPrediction;
            queuedPrediction = null;
            if (next != null) Predict(next);
        }

        public void Suggest()
        {
            var level = RequireLevel();
            if (level == null) return;
            Request<LevelSuggestResult>(Methods.LevelSuggest, new LevelSuggestParams
            {
                LevelId = level,
                Count = Math.Max(1, Settings.SuggestCount),
                AllowGeneration = Settings.AllowGeneration ? (bool?)true : null,
                StayNear = Settings.StayNear,
            }, r => suggestions = r.Suggestions);
        }

        // ---- plumbing ----

        string RequireLevel()
        {
            if (!string.IsNullOrEmpty(selectedLevelId)) return selectedLevelId;
            Fail(new MetabalanceException("select a level first"));
            return null;
        }

        void Request<T>(string method, object parameters, Action<T> done, Action<Exception> failed = null)
        {
            var c = client;
            if (c == null)
            {
                var e = new ConnectionLostException(method + ": not connected: start the sidecar first");
                if (failed != null) failed(e);
                else Fail(e);
                return;
            }
            inFlight++;
            Notify();
            c.Call<T>(method, parameters, r =>
            {
                if (client != c) return;
                inFlight--;
                done(r);
                Notify();
            }, e =>
            {
                if (client != c) return;
                inFlight--;
                if (failed != null) failed(e);
                else Fail(e);
            });
        }

        void Fail(Exception e)
        {
            Error = MetabalanceClient.Unwrap(e).Message;
            Notify();
        }

        void Notify()
        {
            var handler = Changed;
            if (handler != null) handler();
        }

        /// <summary>Drops the connection but leaves the sidecar running (it outlives domain reloads).</summary>
        public void Dispose()
        {
            Disconnect();
            targetsUndo.Release();
        }
    }
}
