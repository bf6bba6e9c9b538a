using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace Metabalance
{
    public enum ConnectionState { Disconnected, Connecting, Connected, Reconnecting, Failed, Disposed }

    /// <summary>
    /// JSON-RPC 2.0 client of the metabalance sidecar. Connects in the background, checks the
    /// protocol version with initialize, keeps the connection alive with a heartbeat and re-makes it
    /// with backoff when it drops. Task results complete on a worker thread; events and the
    /// callback overloads (<see cref="Call{T}"/>) are delivered through the MainThreadQueue given to
    /// the constructor (or inline when none is given).
    /// </summary>
    public sealed class MetabalanceClient : IDisposable
    {
        public const string Version = "0.1.0";

        sealed class PendingRequest
        {
            public readonly string Method;
            public readonly TaskCompletionSource<JToken> Answer = NewSource<JToken>();
            public PendingRequest(string method) { Method = method; }
        }

        readonly Func<SidecarEndpoint> endpoint;
        readonly Func<IRpcTransport> transportFactory;
        readonly MainThreadQueue mainThread;
        readonly MetabalanceClientOptions options;
        readonly ConcurrentDictionary<long, PendingRequest> pending = new ConcurrentDictionary<long, PendingRequest>();
        readonly CancellationTokenSource life = new CancellationTokenSource();
        readonly object gate = new object();
        readonly List<TaskCompletionSource<bool>> attemptWaiters = new List<TaskCompletionSource<bool>>();

        long nextId;
        long lastReceivedTicks;
        Task supervisor;
        IRpcTransport current;
        TaskCompletionSource<bool> connected = NewSource<bool>();
        ConnectionState state = ConnectionState.Disconnected;
        Exception lastError;
        InitializeResult server;

        /// <param name="endpoint">Asked before every connection attempt (re-read the token file here).</param>
        /// <param name="mainThread">Where events and callbacks run; null runs them on the socket's thread.</param>
        /// <param name="transportFactory">A fresh transport per attempt; defaults to WebSocketTransport.</param>
        public MetabalanceClient(Func<SidecarEndpoint> endpoint, MainThreadQueue mainThread = null,
            MetabalanceClientOptions options = null, Func<IRpcTransport> transportFactory = null)
        {
            if (endpoint == null) throw new ArgumentNullException("endpoint");
            this.endpoint = endpoint;
            this.mainThread = mainThread;
            this.options = options ?? new MetabalanceClientOptions();
            this.transportFactory = transportFactory ?? (() => new WebSocketTransport());
        }

        public MetabalanceClient(SidecarEndpoint endpoint, MainThreadQueue mainThread = null, MetabalanceClientOptions options = null)
            : this(() => endpoint, mainThread, options) { }

        public MetabalanceClientOptions Options { get { return options; } }
        public ConnectionState State { get { lock (gate) return state; } }
        public bool IsConnected { get { return State == ConnectionState.Connected; } }
        /// <summary>The initialize answer of the current (or last) connection.</summary>
        public InitializeResult Server { get { lock (gate) return server; } }
        /// <summary>Why the last connection attempt failed, if it did.</summary>
        public Exception LastError { get { lock (gate) return lastError; } }

        public event Action<ConnectionState> StateChanged;
        public event Action<JobProgress> JobProgressReceived;
        public event Action<JobFinished> JobFinishedReceived;
        public event Action<ProjectChanged> ProjectChangedReceived;
        /// <summary>Every notification, including ones this version does not know.</summary>
        public event Action<string, JToken> NotificationReceived;
        /// <summary>Non-fatal problems, e.g. a newer minor protocol version on the sidecar.</summary>
        public event Action<string> Warning;

        /// <summary>Starts connecting (and reconnecting, until disposed) in the background; completes
        /// once connected, or fails with the error of the next failed attempt. Reconnection goes on
        /// after a failure unless the protocol versions are incompatible.</summary>
        public Task ConnectAsync()
        {
            lock (gate)
            {
                if (state == ConnectionState.Disposed) throw new ObjectDisposedException("MetabalanceClient");
                if (state == ConnectionState.Connected) return Task.FromResult(true);
                if (state == ConnectionState.Failed) return FromException(lastError);
                var waiter = NewSource<bool>();
                attemptWaiters.Add(waiter);
                if (supervisor == null) supervisor = Task.Run(() => SuperviseAsync());
                return waiter.Task;
            }
        }

        /// <summary>Waits up to timeout for a connection, whatever the number of failed attempts.</summary>
        public async Task<bool> WaitConnectedAsync(TimeSpan timeout)
        {
            Task ready;
            lock (gate) ready = connected.Task;
            return await Task.WhenAny(ready, Task.Delay(timeout)).ConfigureAwait(false) == ready;
        }

        /// <summary>Calls a method. Waits for a connection first (within the same timeout);
        /// throws RpcException, RequestTimeoutException or ConnectionLostException.</summary>
        public async Task<T> CallAsync<T>(string method, object parameters, TimeSpan? timeout = null)
        {
            var limit = timeout ?? DefaultTimeout(method);
            var clock = Stopwatch.StartNew();
            var transport = await WaitForTransportAsync(method, limit).ConfigureAwait(false);
            var answer = await RequestAsync(transport, method, parameters, limit - clock.Elapsed).ConfigureAwait(false);
            try
            {
                return Json.FromToken<T>(answer);
            }
            catch (Exception e)
            {
                throw new MetabalanceException(method + ": unexpected result from the sidecar: " + e.Message, e);
            }
        }

        /// <summary>Callback form of CallAsync: exactly one of the callbacks runs, on the main-thread queue.</summary>
        public void Call<T>(string method, object parameters, Action<T> onResult, Action<Exception> onError, TimeSpan? timeout = null)
        {
            CallAsync<T>(method, parameters, timeout).ContinueWith(task =>
            {
                if (task.IsFaulted)
                {
                    var error = Unwrap(task.Exception);
                    Deliver(() => { if (onError != null) onError(error); });
                }
                else
                {
                    var result = task.Result;
                    Deliver(() => { if (onResult != null) onResult(result); });
                }
            }, TaskContinuationOptions.ExecuteSynchronously);
        }

        // Typed methods, one per protocol method.

        public Task<ProjectFile> ProjectGetAsync() { return Then(CallAsync<ProjectGetResult>(Methods.ProjectGet, new EmptyParams()), r => r.Project); }
        public Task<ProjectFile> ProjectUpdateAsync(ProjectFile project) { return Then(CallAsync<ProjectUpdateResult>(Methods.ProjectUpdate, new ProjectUpdateParams { Project = project }), r => r.Project); }
        public Task<AppendResult> LevelsUpsertAsync(List<LevelRecord> levels) { return CallAsync<AppendResult>(Methods.LevelsUpsert, new LevelsUpsertParams { Levels = levels }); }
        public Task<LevelsListResult> LevelsListAsync() { return CallAsync<LevelsListResult>(Methods.LevelsList, new EmptyParams()); }
        public Task<AppendResult> PlaytestsAppendAsync(List<PlaytestRecord> playtests) { return CallAsync<AppendResult>(Methods.PlaytestsAppend, new PlaytestsAppendParams { Playtests = playtests }); }
        public Task<PlaytestsListResult> PlaytestsListAsync(PlaytestsListParams query) { return CallAsync<PlaytestsListResult>(Methods.PlaytestsList, query ?? new PlaytestsListParams()); }
        public Task<ModelTrainResult> ModelTrainAsync(ModelTrainParams request) { return CallAsync<ModelTrainResult>(Methods.ModelTrain, request ?? new ModelTrainParams()); }
        public Task<JobStatusResult> JobStatusAsync(string jobId) { return CallAsync<JobStatusResult>(Methods.JobStatus, new JobStatusParams { JobId = jobId }); }
        public Task<JobCancelResult> JobCancelAsync(string jobId) { return CallAsync<JobCancelResult>(Methods.JobCancel, new JobCancelParams { JobId = jobId }); }
        public Task<ModelInfo> ModelInfoAsync() { return CallAsync<ModelInfo>(Methods.ModelInfo, new EmptyParams()); }
        public Task<BalanceResult> LevelBalanceAsync(LevelBalanceParams request) { return CallAsync<BalanceResult>(Methods.LevelBalance, request); }
        public Task<LevelSuggestResult> LevelSuggestAsync(LevelSuggestParams request) { return CallAsync<LevelSuggestResult>(Methods.LevelSuggest, request); }
        public Task<LevelPredictResult> LevelPredictAsync(LevelPredictParams request) { return CallAsync<LevelPredictResult>(Methods.LevelPredict, request); }
        public Task<TestersClassifyResult> TestersClassifyAsync(List<string> testers = null) { return CallAsync<TestersClassifyResult>(Methods.TestersClassify, new TestersClassifyParams { Testers = testers }); }

        public void Dispose()
        {
            IRpcTransport transport;
            lock (gate)
            {
                if (state == ConnectionState.Disposed) return;
                transport = current;
                current = null;
            }
            life.Cancel();
            if (transport != null) transport.Abort();
            var gone = new ConnectionLostException("the metabalance client was disposed");
            FailPending(gone);
            CompleteWaiters(new ObjectDisposedException("MetabalanceClient"));
            SetState(ConnectionState.Disposed);
        }

        // ---- connection supervision ----

        async Task SuperviseAsync()
        {
            var failures = 0;
            while (!life.IsCancellationRequested)
            {
                IRpcTransport transport = null;
                Task receiving = null;
                Exception error = null;
                SetState(failures == 0 && Server == null ? ConnectionState.Connecting : ConnectionState.Reconnecting);
                try
                {
                    var target = endpoint();
                    transport = transportFactory();
                    await ConnectWithTimeoutAsync(transport, target).ConfigureAwait(false);
                    Interlocked.Exchange(ref lastReceivedTicks, DateTime.UtcNow.Ticks);
                    var t = transport;
                    receiving = Task.Run(() => ReceiveLoopAsync(t));
                    var init = await RequestAsync(transport, Methods.Initialize, new InitializeParams
                    {
                        ClientName = options.ClientName,
                        ClientVersion = options.ClientVersion,
                        ProtocolVersion = Methods.ProtocolVersion,
                    }, options.RequestTimeout).ConfigureAwait(false);
                    var info = Json.FromToken<InitializeResult>(init);
                    CheckProtocol(info);
                    lock (gate) { server = info; current = transport; lastError = null; }
                }
                catch (Exception e)
                {
                    error = Unwrap(e);
                }

                if (error == null)
                {
                    failures = 0;
                    SetState(ConnectionState.Connected);
                    lock (gate) connected.TrySetResult(true);
                    CompleteWaiters(null);
                    await KeepAliveAsync(transport, receiving).ConfigureAwait(false);
                    lock (gate) { current = null; connected = NewSource<bool>(); }
                    transport.Dispose();
                    FailPending(new ConnectionLostException("the connection to the metabalance sidecar was lost"));
                    if (life.IsCancellationRequested) return;
                    SetState(ConnectionState.Reconnecting);
                }
                else
                {
                    if (transport != null) transport.Dispose();
                    FailPending(error as ConnectionLostException ?? new ConnectionLostException("connecting to the metabalance sidecar failed: " + error.Message, error));
                    lock (gate) lastError = error;
                    CompleteWaiters(error);
                    if (life.IsCancellationRequested) return;
                    if (error is ProtocolMismatchException)
                    {
                        SetState(ConnectionState.Failed);
                        return;
                    }
                    failures++;
                }

                try
                {
                    await Task.Delay(Backoff(failures), life.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        TimeSpan Backoff(int failures)
        {
            var ms = options.ReconnectDelayMin.TotalMilliseconds * Math.Pow(2, Math.Max(0, failures - 1));
            return TimeSpan.FromMilliseconds(Math.Min(ms, options.ReconnectDelayMax.TotalMilliseconds));
        }

        async Task ConnectWithTimeoutAsync(IRpcTransport transport, SidecarEndpoint target)
        {
            Task connecting;
            try
            {
                connecting = transport.ConnectAsync(target.Rpc, target.Token);
            }
            catch (Exception e)
            {
                throw new ConnectionLostException("could not connect to " + target.Rpc + ": " + e.Message, e);
            }
            // Mono ignores cancellation during the HTTP upgrade: race it, then abort and abandon it.
            if (await Task.WhenAny(connecting, Task.Delay(options.ConnectTimeout)).ConfigureAwait(false) != connecting)
            {
                transport.Abort();
                Observe(connecting);
                throw new ConnectTimeoutException(target.Rpc, options.ConnectTimeout);
            }
            try
            {
                await connecting.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                throw new ConnectionLostException("could not connect to " + target.Rpc + ": " + DescribeConnectFailure(e), e);
            }
        }

        static string DescribeConnectFailure(Exception e)
        {
            var messages = new List<string>();
            for (var x = Unwrap(e); x != null; x = x.InnerException) messages.Add(x.Message);
            return string.Join(": ", messages.ToArray());
        }

        void CheckProtocol(InitializeResult info)
        {
            var ours = Methods.ProtocolVersion.Split('.');
            var theirs = (info.ProtocolVersion ?? "").Split('.');
            if (theirs[0] != ours[0])
                throw new ProtocolMismatchException("the metabalance sidecar speaks protocol " + info.ProtocolVersion + " but this package speaks " +
                    Methods.ProtocolVersion + "; update the package or the sidecar so their major versions match");
            if (theirs.Length > 1 && string.CompareOrdinal(theirs[1], ours[1]) != 0)
                Raise(Warning, "the metabalance sidecar speaks protocol " + info.ProtocolVersion + ", this package " + Methods.ProtocolVersion + "; some features may be unavailable");
        }

        /// <summary>Returns when the connection is gone: closed by the peer, failed, or found dead by the heartbeat.</summary>
        async Task KeepAliveAsync(IRpcTransport transport, Task receiving)
        {
            while (true)
            {
                var tick = Task.Delay(options.HeartbeatInterval, life.Token);
                if (await Task.WhenAny(receiving, tick).ConfigureAwait(false) == receiving) return;
                if (life.IsCancellationRequested) { transport.Abort(); return; }
                var idle = DateTime.UtcNow - new DateTime(Interlocked.Read(ref lastReceivedTicks), DateTimeKind.Utc);
                if (idle < options.HeartbeatInterval) continue;
                try
                {
                    await RequestAsync(transport, options.HeartbeatMethod, new EmptyParams(), options.HeartbeatTimeout).ConfigureAwait(false);
                }
                catch (RpcException)
                {
                    // an error answer still proves the sidecar alive
                }
                catch (Exception)
                {
                    transport.Abort();
                    await receiving.ConfigureAwait(false);
                    return;
                }
            }
        }

        async Task ReceiveLoopAsync(IRpcTransport transport)
        {
            try
            {
                while (true)
                {
                    var text = await transport.ReceiveAsync().ConfigureAwait(false);
                    if (text == null) return;
                    Interlocked.Exchange(ref lastReceivedTicks, DateTime.UtcNow.Ticks);
                    HandleIncoming(text);
                }
            }
            catch (Exception)
            {
                // a failed receive ends the connection; the supervisor reconnects
            }
        }

        void HandleIncoming(string text)
        {
            JToken message;
            try
            {
                message = Json.Parse(text);
            }
            catch (Exception e)
            {
                Raise(Warning, "ignored a malformed message from the sidecar: " + e.Message);
                return;
            }
            var batch = message as JArray;
            if (batch != null)
            {
                foreach (var item in batch) HandleMessage(item as JObject);
            }
            else
            {
                HandleMessage(message as JObject);
            }
        }

        void HandleMessage(JObject message)
        {
            if (message == null) return;
            var id = message["id"];
            var method = message["method"];
            if (method != null && (id == null || id.Type == JTokenType.Null))
            {
                HandleNotification((string)method, message["params"]);
                return;
            }
            if (id == null || id.Type != JTokenType.Integer) return;
            PendingRequest request;
            if (!pending.TryRemove((long)id, out request)) return; // answer to a request that already timed out
            var error = message["error"] as JObject;
            if (error != null)
            {
                var code = error["code"] != null && error["code"].Type == JTokenType.Integer ? (int)error["code"] : RpcErrorCodes.InternalError;
                request.Answer.TrySetException(new RpcException(request.Method, code, (string)error["message"] ?? "error", error["data"]));
            }
            else
            {
                request.Answer.TrySetResult(message["result"] ?? JValue.CreateNull());
            }
        }

        void HandleNotification(string method, JToken parameters)
        {
            try
            {
                switch (method)
                {
                    case Methods.JobProgressNotification: Raise(JobProgressReceived, Json.FromToken<JobProgress>(parameters)); break;
                    case Methods.JobFinishedNotification: Raise(JobFinishedReceived, Json.FromToken<JobFinished>(parameters)); break;
                    case Methods.ProjectChangedNotification: Raise(ProjectChangedReceived, Json.FromToken<ProjectChanged>(parameters)); break;
                }
            }
            catch (Exception e)
            {
                Raise(Warning, "ignored a malformed " + method + " notification: " + e.Message);
            }
            var any = NotificationReceived;
            if (any != null) Deliver(() => any(method, parameters));
        }

        // ---- requests ----

        async Task<IRpcTransport> WaitForTransportAsync(string method, TimeSpan limit)
        {
            Task ready;
            lock (gate)
            {
                if (state == ConnectionState.Disposed) throw new ObjectDisposedException("MetabalanceClient");
                if (current != null && state == ConnectionState.Connected) return current;
                if (state == ConnectionState.Failed) throw new ConnectionLostException(method + ": not connected: " + lastError.Message, lastError);
                if (supervisor == null) supervisor = Task.Run(() => SuperviseAsync());
                ready = connected.Task;
            }
            if (await Task.WhenAny(ready, Task.Delay(limit)).ConfigureAwait(false) != ready)
            {
                var why = LastError;
                throw new ConnectionLostException(method + ": not connected to the metabalance sidecar within " + Invariant.Seconds(limit) +
                    (why != null ? " (" + why.Message + ")" : ""), why);
            }
            lock (gate)
            {
                if (current == null) throw new ConnectionLostException(method + ": the connection to the metabalance sidecar was lost");
                return current;
            }
        }

        async Task<JToken> RequestAsync(IRpcTransport transport, string method, object parameters, TimeSpan timeout)
        {
            var id = Interlocked.Increment(ref nextId);
            var request = new PendingRequest(method);
            pending[id] = request;
            var message = new JObject
            {
                { "jsonrpc", "2.0" },
                { "id", id },
                { "method", method },
                { "params", Json.ToToken(parameters) },
            };
            try
            {
                await transport.SendAsync(message.ToString(Newtonsoft.Json.Formatting.None)).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                PendingRequest ignored;
                pending.TryRemove(id, out ignored);
                throw new ConnectionLostException(method + ": sending to the metabalance sidecar failed: " + e.Message, e);
            }
            if (timeout < TimeSpan.Zero) timeout = TimeSpan.Zero;
            if (await Task.WhenAny(request.Answer.Task, Task.Delay(timeout)).ConfigureAwait(false) != request.Answer.Task)
            {
                PendingRequest ignored;
                pending.TryRemove(id, out ignored);
                throw new RequestTimeoutException(method, timeout);
            }
            return await request.Answer.Task.ConfigureAwait(false);
        }

        TimeSpan DefaultTimeout(string method)
        {
            return method == Methods.LevelBalance || method == Methods.LevelSuggest ? options.LongRequestTimeout : options.RequestTimeout;
        }

        void FailPending(Exception error)
        {
            foreach (var id in pending.Keys)
            {
                PendingRequest request;
                if (pending.TryRemove(id, out request)) request.Answer.TrySetException(error);
            }
        }

        void CompleteWaiters(Exception error)
        {
            TaskCompletionSource<bool>[] waiters;
            lock (gate)
            {
                waiters = attemptWaiters.ToArray();
                attemptWaiters.Clear();
            }
            foreach (var w in waiters)
            {
                if (error == null) w.TrySetResult(true);
                else w.TrySetException(error);
            }
        }

        void SetState(ConnectionState next)
        {
            lock (gate)
            {
                if (state == next || state == ConnectionState.Disposed) return;
                state = next;
            }
            Raise(StateChanged, next);
        }

        void Raise<T>(Action<T> handler, T value)
        {
            if (handler != null) Deliver(() => handler(value));
        }

        /// <summary>Runs an event handler where this client's events run: posted to its
        /// MainThreadQueue, or inline when it has none (the recorder's events go the same way).</summary>
        internal void Deliver(Action action)
        {
            if (mainThread != null) mainThread.Post(action);
            else action();
        }

        // ---- helpers (C# 7.2 / .NET 4.x subset) ----

        static TaskCompletionSource<T> NewSource<T>()
        {
            return new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        static Task FromException(Exception e)
        {
            var source = NewSource<bool>();
            source.SetException(e);
            return source.Task;
        }

        static async Task<TOut> Then<TIn, TOut>(Task<TIn> task, Func<TIn, TOut> select)
        {
            return select(await task.ConfigureAwait(false));
        }

        static void Observe(Task task)
        {
            task.ContinueWith(t => { var ignored = t.Exception; }, TaskContinuationOptions.OnlyOnFaulted);
        }

        /// <summary>The single inner exception of (nested) AggregateExceptions, as await would throw it.</summary>
        public static Exception Unwrap(Exception e)
        {
            var aggregate = e as AggregateException;
            while (aggregate != null && aggregate.InnerExceptions.Count == 1)
            {
                e = aggregate.InnerException;
                aggregate = e as AggregateException;
            }
            return e;
        }
    }
}
