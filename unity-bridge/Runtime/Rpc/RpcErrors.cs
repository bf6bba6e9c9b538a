using System;
using Newtonsoft.Json.Linq;

namespace Metabalance
{
    /// <summary>Base of every failure the client reports.</summary>
    public class MetabalanceException : Exception
    {
        public MetabalanceException(string message) : base(message) { }
        public MetabalanceException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>The sidecar answered a request with a JSON-RPC error.</summary>
    public class RpcException : MetabalanceException
    {
        public readonly string Method;
        public readonly int Code;
        public readonly JToken ErrorData;

        public RpcException(string method, int code, string message, JToken data)
            : base(method + ": " + message + " (" + Invariant.Number(code) + ")" + Describe(data))
        {
            Method = method;
            Code = code;
            ErrorData = data;
        }

        // -32005 (data.problems) and -32602 (data.errors, beside ajv's raw objects) name the offending
        // fields; the message must name them, and only them.
        static string Describe(JToken data)
        {
            if (data == null || data.Type == JTokenType.Null) return "";
            var problems = data.Type == JTokenType.Object ? data["problems"] ?? data["errors"] : null;
            if (problems is JArray) return ": " + string.Join("; ", ((JArray)problems).ToObject<string[]>());
            return ": " + data.ToString(Newtonsoft.Json.Formatting.None);
        }
    }

    /// <summary>No answer within the request's timeout. The request may still run on the sidecar.</summary>
    public class RequestTimeoutException : MetabalanceException
    {
        public RequestTimeoutException(string method, TimeSpan timeout)
            : base(method + ": no answer from the metabalance sidecar within " + Invariant.Seconds(timeout)) { }
    }

    /// <summary>The connection dropped (or was never made) before the answer arrived.</summary>
    public class ConnectionLostException : MetabalanceException
    {
        public ConnectionLostException(string message) : base(message) { }
        public ConnectionLostException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>The WebSocket handshake did not finish within the connect timeout.</summary>
    public class ConnectTimeoutException : ConnectionLostException
    {
        public ConnectTimeoutException(Uri uri, TimeSpan timeout)
            : base("connecting to " + uri + " timed out after " + Invariant.Seconds(timeout)) { }
    }

    /// <summary>The sidecar speaks another major protocol version; the client stops reconnecting.</summary>
    public class ProtocolMismatchException : MetabalanceException
    {
        public ProtocolMismatchException(string message) : base(message) { }
    }
}
