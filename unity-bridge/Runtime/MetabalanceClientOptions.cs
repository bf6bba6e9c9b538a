using System;

namespace Metabalance
{
    public sealed class MetabalanceClientOptions
    {
        /// <summary>Limit on the WebSocket handshake (Mono's ConnectAsync can hang for minutes).</summary>
        public TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
        /// <summary>Default per-request limit.</summary>
        public TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
        /// <summary>Limit for level.balance and level.suggest, which search the parameter space;
        /// generous because an unfocused editor throttles its update loop.</summary>
        public TimeSpan LongRequestTimeout = TimeSpan.FromMinutes(3);
        /// <summary>A request is sent after this long without any message from the sidecar ...</summary>
        public TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);
        /// <summary>... and the connection is dropped (then re-made) if it gets no answer within this.</summary>
        public TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(10);
        /// <summary>Any answer, result or error, proves the sidecar alive; the protocol has no ping,
        /// so the heartbeat uses a cheap read-only method.</summary>
        public string HeartbeatMethod = Methods.ModelInfo;
        /// <summary>Reconnect backoff: doubles from Min up to Max after each failed attempt.</summary>
        public TimeSpan ReconnectDelayMin = TimeSpan.FromMilliseconds(250);
        public TimeSpan ReconnectDelayMax = TimeSpan.FromSeconds(5);
        public string ClientName = "metabalance-unity";
        public string ClientVersion = MetabalanceClient.Version;
    }
}
