using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace Metabalance.Tests
{
    /// <summary>Error answer a FakeSidecar handler can throw.</summary>
    public sealed class FakeRpcError : Exception
    {
        public readonly int Code;
        public readonly JToken ErrorData;
        public FakeRpcError(int code, string message, JToken data = null) : base(message) { Code = code; ErrorData = data; }
    }

    /// <summary>
    /// An in-memory stand-in for the sidecar, for unit tests of the client: hands out transports,
    /// answers initialize itself and every other request through Handler (on a worker thread),
    /// and lets a test push notifications, drop connections or hang handshakes.
    /// </summary>
    public sealed class FakeSidecar
    {
        /// <summary>Returned by a handler to leave a request unanswered.</summary>
        public static readonly JToken NoAnswer = new JValue("no answer");

        public string ProtocolVersion = "1.0";
        public volatile bool HangConnect;
        public volatile bool RefuseConnect;
        public Func<string, JToken, JToken> Handler = (method, p) => new JObject();
        public readonly ConcurrentQueue<JObject> Requests = new ConcurrentQueue<JObject>();
        public readonly List<FakeTransport> Connections = new List<FakeTransport>();
        public readonly List<string> Tokens = new List<string>();

        public Func<IRpcTransport> Factory
        {
            get
            {
                return () =>
                {
                    var t = new FakeTransport(this);
                    lock (Connections) Connections.Add(t);
                    return t;
                };
            }
        }

        public int ConnectionCount { get { lock (Connections) return Connections.Count; } }

        public FakeTransport Current { get { lock (Connections) return Connections.Count == 0 ? null : Connections[Connections.Count - 1]; } }

        public List<JObject> RequestsFor(string method)
        {
            var list = new List<JObject>();
            foreach (var r in Requests.ToArray()) if ((string)r["method"] == method) list.Add(r);
            return list;
        }

        public void Notify(string method, JObject parameters)
        {
            Current.Push(new JObject { { "jsonrpc", "2.0" }, { "method", method }, { "params", parameters } }.ToString());
        }

        internal JToken Answer(JObject request)
        {
            var method = (string)request["method"];
            var id = request["id"];
            try
            {
                var result = method == Methods.Initialize ? InitializeResult() : Handler(method, request["params"]);
                if (ReferenceEquals(result, NoAnswer)) return null;
                return new JObject { { "jsonrpc", "2.0" }, { "id", id }, { "result", result } };
            }
            catch (FakeRpcError e)
            {
                var error = new JObject { { "code", e.Code }, { "message", e.Message } };
                if (e.ErrorData != null) error["data"] = e.ErrorData;
                return new JObject { { "jsonrpc", "2.0" }, { "id", id }, { "error", error } };
            }
        }

        JToken InitializeResult()
        {
            return JObject.Parse("{\"serverVersion\":\"0.0.0-fake\",\"protocolVersion\":\"" + ProtocolVersion +
                                 "\",\"backend\":\"cpu\",\"project\":{\"name\":\"fake\",\"dir\":\"/tmp/fake\"}," +
                                 "\"capabilities\":{\"methods\":[],\"notifications\":[]}}");
        }
    }

    public sealed class FakeTransport : IRpcTransport
    {
        readonly FakeSidecar server;
        readonly BlockingCollection<string> inbox = new BlockingCollection<string>();
        readonly TaskCompletionSource<bool> hung = new TaskCompletionSource<bool>();
        int closed;

        public FakeTransport(FakeSidecar server) { this.server = server; }

        public bool IsClosed { get { return closed != 0; } }

        public Task ConnectAsync(Uri uri, string token)
        {
            lock (server.Tokens) server.Tokens.Add(token);
            if (server.HangConnect) return hung.Task;
            if (server.RefuseConnect) throw new System.Net.WebSockets.WebSocketException("connection refused (fake)");
            return Task.FromResult(true);
        }

        public Task SendAsync(string message)
        {
            if (IsClosed) throw new System.Net.WebSockets.WebSocketException("closed (fake)");
            var request = JObject.Parse(message);
            server.Requests.Enqueue(request);
            if (request["id"] != null)
            {
                Task.Run(() =>
                {
                    var answer = server.Answer(request);
                    if (answer != null) Push(answer.ToString());
                });
            }
            return Task.FromResult(true);
        }

        public Task<string> ReceiveAsync()
        {
            return Task.Run(() =>
            {
                try
                {
                    var message = inbox.Take();
                    return message.Length == 0 ? null : message;
                }
                catch (InvalidOperationException)
                {
                    return null;
                }
            });
        }

        /// <summary>Delivers a raw text message to the client.</summary>
        public void Push(string message)
        {
            if (!IsClosed && message.Length > 0) inbox.Add(message);
        }

        /// <summary>The server closes the connection.</summary>
        public void Close()
        {
            if (Interlocked.Exchange(ref closed, 1) == 0) inbox.Add("");
        }

        public void Abort()
        {
            Close();
            hung.TrySetException(new System.Net.WebSockets.WebSocketException("aborted"));
        }

        public void Dispose() { Abort(); }
    }
}
